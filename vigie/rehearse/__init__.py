"""Virtual students for `vigie rehearse`: a scaled plan played by Locust against a real platform.

`schedule`, `control`, `dispatch` and `students` are plain Python and safe to import in
a Vigie process. `locustfile` and `locust_main` run only inside the Locust processes that
`students.StudentsProcess` starts (Locust monkey-patches the standard library).
"""
