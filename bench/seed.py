#!/usr/bin/env python3
"""Fill an mfo database with benchmark users, fast.

    seed.py DATABASE TOTAL TEMPLATE_EMAIL

Adds users bench-000001@example.com, bench-000002@example.com, ... until the
users table holds TOTAL rows. Every new user gets a copy of TEMPLATE_EMAIL's
password hash (one argon2id hash made by `mfo user create`), so seeding
100,000 users takes seconds: hashing each password would take hours at
the server's cost. Each row still gets its own email_key and a random
uniquifier, like a user made by the CLI. One INSERT ... SELECT over a
recursive CTE, in one transaction.
"""

import sqlite3
import sys
import time


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path, total, template = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    started = time.monotonic()
    db = sqlite3.connect(path)
    (have,) = db.execute("SELECT count(*) FROM users").fetchone()
    missing = max(0, total - have)
    row = db.execute(
        "SELECT password_hash, password_scheme FROM users WHERE email_key = ?",
        (template.lower(),),
    ).fetchone()
    if row is None:
        print(f"seed.py: no user {template!r} to copy the hash from",
              file=sys.stderr)
        return 1
    now = int(time.time())
    with db:
        db.execute(
            """
            WITH RECURSIVE n(i) AS (
                SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1
            )
            INSERT INTO users (email, email_key, password_hash,
                password_scheme, is_active, uniquifier, created_at,
                updated_at)
            SELECT printf('bench-%06d@example.com', i),
                   printf('bench-%06d@example.com', i),
                   ?2, ?3, 1, lower(hex(randomblob(16))), ?4, ?4
            FROM n
            """,
            (missing, row[0], row[1], now),
        )
    db.close()
    print(f"seeded {missing} users into {path} "
          f"({total} in all) in {time.monotonic() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
