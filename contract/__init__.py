"""What the API and the assistant's processes must agree on, in one dependency-free place.

Both environments import it (the API's Python 3.11+ and the assistant's Python 3.10, with
different libraries), so it uses the standard library only; each side encodes and decodes
tokens with its own PyJWT, and checks them with the rules written here.
"""
