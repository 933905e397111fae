"""Result reports: tables beside the published models, intervals, failures, protocol cards, breakdowns, figures,
and a self-contained HTML page with a sample browser (``finemotion report``; docs/report.md)."""
