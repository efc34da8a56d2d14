"""Analysis: pure functions of tables (statistics, transition, funding, teams, reliability).

They take DataFrames (or a finished run) and return DataFrames or numbers; they write no
file and render no markdown or figure, so reports, plots and the dashboard share them.
"""
