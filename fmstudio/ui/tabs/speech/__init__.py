"""The Speech tab: a record panel and a transcribe panel around one transcript view."""
