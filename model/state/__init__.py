"""The model's state: arrays and tables of households, cases, money and randomness."""
