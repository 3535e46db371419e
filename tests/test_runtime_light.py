import subprocess
import sys


def test_import_and_compress_do_not_import_torch():
    code = (
        "import sys, tersify\n"
        "r = tersify.compress('exit code 139 after the SIGSEGV, not retried')\n"
        "assert '139' in r.text\n"
        "heavy = [m for m in ('torch', 'transformers', 'peft') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
