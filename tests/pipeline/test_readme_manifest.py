"""Every command README.md shows is either run by tests/e2e/test_readme_commands.py or skipped with a reason."""
from tests.readme_commands import MANIFEST, readme_commands


def test_every_readme_command_is_in_the_manifest():
    shown = [command for _, command in readme_commands()]
    assert len(shown) >= 10  # the reader found the blocks
    missing = [command for command in shown if command not in MANIFEST]
    assert not missing, f"README commands with no entry in tests/readme_commands.py MANIFEST: {missing}"


def test_the_manifest_names_no_command_the_readme_dropped():
    shown = {command for _, command in readme_commands()}
    assert not set(MANIFEST) - shown
