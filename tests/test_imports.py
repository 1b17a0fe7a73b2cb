import subprocess
import sys


def test_core_imports_no_textual_or_rich():
    code = (
        "import sys, tui.core.catalog, tui.core.model, tui.core.sources.local, tui.core.sources.demo, "
        "tui.core.formats.text, tui.core.formats.media, tui.core.opening, tui.cli;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
