"""The pages anyone may open without signing in: home, statements, a forgotten password."""
