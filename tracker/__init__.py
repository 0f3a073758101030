"""Policy-recommendation tracker: dated assessments of recommendations, backed by evidence."""
