"""The README's Python examples run as pasted."""

import pathlib
import re

README = (pathlib.Path(__file__).parent.parent / "README.md").read_text()


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks, "the README has Python examples"
    namespaces = []
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)
        namespaces.append(namespace)
    quick = namespaces[0]
    assert sorted(quick["state"]) == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight", "scale"]
    assert quick["shapes"]["fc1.weight"].shape == (32, 4)
    assert namespaces[-1]["variables"]["params"]["kernel"].shape == (8, 16)
