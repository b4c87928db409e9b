"""Wire protocols of the PBX and OneNET voice APIs. Nothing here imports Home Assistant."""
