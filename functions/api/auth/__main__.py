"""Make the secrets' hashes for the server config's `auth.users` (the config never holds a secret):

python -m functions.api.auth hash   # asks for a password, prints its password-hash line
python -m functions.api.auth key    # makes an API key: prints the key (for the user, once)
                                    # and its api-keys entry (for the config)
"""

import argparse
import getpass
import sys

from infra.credentials import hash_api_key, hash_password, new_api_key


def read_password() -> str:
    """Prompted twice on a terminal; one line from a pipe (scripts, tests)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        sys.exit("The passwords differ")
    return password


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m functions.api.auth", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("hash", help="print the password-hash of a password")
    commands.add_parser("key", help="make a new API key and print it with its hash")
    args = parser.parse_args(argv)
    if args.command == "hash":
        password = read_password()
        if not password:
            sys.exit("An empty password is refused")
        print(f'password-hash = "{hash_password(password)}"')
    else:
        key = new_api_key()
        print(f"key (give it to the user; it is shown once): {key}")
        print(f'api-keys = ["{hash_api_key(key)}"]')


if __name__ == "__main__":
    main()
