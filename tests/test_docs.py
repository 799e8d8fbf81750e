"""The reference pages stay in step with the code that defines the format."""

from sim.reference import REFERENCE_PATH, reference_text
from sim.scenario import Scenario


def test_scenario_reference_is_up_to_date():
    assert REFERENCE_PATH.read_text(encoding="utf-8") == reference_text(), (
        "run `make docs` to regenerate docs/scenario_reference.md")


def test_scenario_reference_documents_every_field_of_every_model():
    text = reference_text()
    assert "|  |" not in text, "a field has no description"
    for name in Scenario.model_fields:
        assert f"| `{name}` |" in text


def test_notebooks_are_committed_without_outputs():
    import nbformat

    from sim.paths import PROJECT_ROOT

    notebooks = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name
