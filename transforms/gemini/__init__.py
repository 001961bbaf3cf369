"""The Gemini tuning service: profiles, limits, the example format and dataset checks."""
