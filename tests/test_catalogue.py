"""The catalogue (CATALOGUE.md) and the index `flowcert list` reads (claims/index.json) are
generated from the registry; they must be current, and listing must not import the claims."""

import subprocess
import sys

from flowcert.reports import catalogue


def test_index_and_catalogue_are_current():
    assert catalogue.main([]) == 0, "run: python -m flowcert.reports.catalogue --write"


def test_listing_imports_no_claim_family_nor_heavy_library():
    probe = ("import sys; from flowcert.reports.cli import main; main(['list']); "
             "heavy = [m for m in ('sympy', 'heyoka', 'scipy', 'flowcert.claims.deep_linear')"
             " if m in sys.modules]; print('HEAVY', heavy)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.splitlines()[-1] == "HEAVY []"
