"""Runs claims, writes results (JSON) and the PDF report; the CLI lives here."""
