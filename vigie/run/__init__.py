"""The processes Vigie runs as: a drill, the demo, a live collector, the served
dashboard, and their plumbing (web server, supervision, fail-over, stop signals).
"""
