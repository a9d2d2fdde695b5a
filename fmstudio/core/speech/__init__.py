"""Speech: Whisper transcription with faster-whisper."""
