"""The DfE statistical-neighbour model, loaded from the file councils download."""

import pytest
from django.core.management import CommandError, call_command

from budgets.models import LocalAuthority, StatisticalNeighbour
from budgets.reference import neighbours_of

pytestmark = pytest.mark.django_db


def test_lewisham_has_ten_neighbours_closest_first():
    neighbours = neighbours_of("209")
    assert len(neighbours) == 10
    assert LocalAuthority.objects.get(la_code="209").name == "Lewisham"
    assert all(n.la_code != "209" for n in neighbours)


def test_loading_twice_duplicates_nothing():
    before = (LocalAuthority.objects.count(), StatisticalNeighbour.objects.count())
    call_command("load_benchmarks", verbosity=0)
    assert (LocalAuthority.objects.count(), StatisticalNeighbour.objects.count()) == before
    assert before == (153, 1530)


def test_a_file_naming_an_unknown_neighbour_loads_nothing(tmp_path):
    header = "old_la_code,la_name,region_ind,region_name," + ",".join(
        f"SN_{n},SN_{n}P" for n in range(1, 11)
    )
    row = "999,Nowhere,3,London," + ",".join(f"{n:03d},Close" for n in range(101, 111))
    (tmp_path / "sn_model_2025_wide.csv").write_text(f"{header}\n{row}\n")
    with pytest.raises(CommandError, match="row 2: SN_1 '101' is not a known authority"):
        call_command("load_benchmarks", str(tmp_path), verbosity=0)
    assert not LocalAuthority.objects.filter(la_code="999").exists()
