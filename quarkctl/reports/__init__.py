"""What a run reports: the data the jobs produce and their readers (render/, history, notify) take.

Each job module fills these in; nothing here imports a job or a renderer, so a reader depends on
the report's shape only, never on the code that produced it.
"""
