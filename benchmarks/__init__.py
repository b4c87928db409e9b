"""Speed and memory of Call Bridge's hot paths, printed as ratios against a plain baseline."""
