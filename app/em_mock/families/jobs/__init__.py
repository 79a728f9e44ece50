"""Jobs: jobs and the objects they process, job sessions and task sessions, job actions."""
