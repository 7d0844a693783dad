"""One joint customs and quarantine inspection per declaration: tasks, checklists, findings."""
