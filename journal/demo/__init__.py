"""The demo program: its data in program.toml, loaded by the seeder through the operations."""

from journal.demo.seeder import (
    DEMO_PASSWORD,
    PROGRAM_FILE,
    DemoDataError,
    demo_email,
    load_program,
    seed_demo,
    seed_program,
)

__all__ = [
    "DEMO_PASSWORD",
    "PROGRAM_FILE",
    "DemoDataError",
    "demo_email",
    "load_program",
    "seed_demo",
    "seed_program",
]
