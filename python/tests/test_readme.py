"""The README's Python cookbook runs as written."""

from __future__ import annotations

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.skipif(not README.exists(), reason="run from the repository")
def test_readme_python_cookbook_runs(capsys):
    text = README.read_text()
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "no python block in the README's Python section"
    for code in blocks:
        exec(compile(code, str(README), "exec"), {})
    assert capsys.readouterr().out.split()[0] in ("avx512", "avx2", "baseline")


@pytest.mark.skipif(not README.exists(), reason="run from the repository")
def test_readme_python_cookbook_answers_every_question():
    # one executed cookbook line per user question Q1..Q27 (../shared/QUESTIONS.md)
    section = README.read_text().split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    code = "\n".join(re.findall(r"```python\n(.*?)```", section, flags=re.S))
    missing = [q for q in range(1, 28) if not re.search(rf"# Q{q}\b", code)]
    assert not missing, f"questions without a cookbook line: {missing}"
