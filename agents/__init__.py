"""Agent classes: household, specialist, central desk, municipality."""
