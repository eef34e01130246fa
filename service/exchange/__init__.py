"""Data in and out the way committees and colleges work: framework workbooks, CASE 1.1
packages and report exports (imports of students and evidence read through
``service.tabular``)."""
