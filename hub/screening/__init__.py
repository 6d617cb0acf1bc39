"""Screening a list (评优评先, 年度考核): the workbook an officer uploads and the one the hub
writes back. Shared by the CLI (`hub check --batch`) and the console; no click, no HTTP."""
