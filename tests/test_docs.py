"""The reference pages stay in step with the code that defines the format."""

from analysis.reference import REFERENCE_PATH, reference_text
from sim.format.scenario import Scenario


def test_scenario_reference_is_up_to_date():
    assert REFERENCE_PATH.read_text(encoding="utf-8") == reference_text(), (
        "run `make docs` to regenerate docs/scenario_reference.md")


def test_scenario_reference_documents_every_field_of_every_model():
    text = reference_text()
    assert "|  |" not in text, "a field has no description"
    for name in Scenario.model_fields:
        assert f"| `{name}` |" in text


def test_notebooks_are_committed_with_current_outputs():
    """Each notebook is committed as `make notebooks` wrote it: every code cell run in order with
    its outputs kept (a browser view shows them), and the digest of its code then equal to its
    code now (a cell edited without re-running fails here). nbmake still runs them in the suite."""
    import nbformat

    from analysis.notebooks import sources_digest
    from sim.paths import PROJECT_ROOT

    notebooks = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), (
            f"{path.name}: run `make notebooks`")
        assert any(cell.outputs for cell in code), path.name
        assert not any(o.get("output_type") == "error" for cell in code for o in cell.outputs), path.name
        assert nb.metadata.get("plenary", {}).get("sources_sha256") == sources_digest(nb), (
            f"{path.name}: its code changed since its outputs were made: run `make notebooks`")
        text = path.read_text(encoding="utf-8")
        assert str(PROJECT_ROOT) not in text and "/tmp/tmp" not in text, path.name
