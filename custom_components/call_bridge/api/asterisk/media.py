"""Speech as Asterisk plays it: a plain WAV, 8 kHz mono 16-bit, with nothing but its samples.

Asterisk's WAV reader takes a ``fmt `` chunk followed by ``fact`` or ``data`` chunks only: the
``LIST`` chunk that ffmpeg writes (and so Home Assistant's text-to-speech) makes it refuse the
file ("Unknown block"), seen on Asterisk 22.10.1. The samples are written again without it.
"""

from __future__ import annotations

import io
from typing import Final
import wave

SAMPLE_RATE: Final = 8000
# About 10 minutes of speech: no message is longer.
MAX_SPEECH_BYTES: Final = 10 * 1024 * 1024


def telephony_wav(audio: bytes) -> bytes:
    """Return ``audio`` (a WAV of 8 kHz mono 16-bit samples) as a WAV Asterisk plays.

    Raise ValueError for anything else: another rate or sample size, or no WAV at all.
    """
    if len(audio) > MAX_SPEECH_BYTES:
        raise ValueError("the speech is longer than any message")
    try:
        with wave.open(io.BytesIO(audio), "rb") as read:
            shape = (read.getframerate(), read.getnchannels(), read.getsampwidth())
            samples = read.readframes(read.getnframes())
    except (wave.Error, EOFError) as err:
        raise ValueError(f"not a WAV Asterisk plays: {err}") from None
    if shape != (SAMPLE_RATE, 1, 2):
        raise ValueError(f"{shape[0]} Hz, {shape[1]} channels, {8 * shape[2]}-bit")
    out = io.BytesIO()
    with wave.open(out, "wb") as written:
        written.setnchannels(1)
        written.setsampwidth(2)
        written.setframerate(SAMPLE_RATE)
        written.writeframes(samples)
    return out.getvalue()
