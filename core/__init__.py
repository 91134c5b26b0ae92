"""TopicLens engine: pure Python (no Streamlit) corpus, terms, topics and fine-tune logic."""

__version__ = "0.1.0"
