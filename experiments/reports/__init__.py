"""Reports: markdown, the table files and the folders of each command's output.

Markdown and tables (CSV and Excel with provenance), and each command's output folder,
which gathers analysis tables, their rendering and the figures. The commands that run a
small study of their own (compare-allocation, compare-providers, reliability) keep it
here from runs to folder, beside their report.
"""
