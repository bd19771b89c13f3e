import pytest

from pipeline.enrich.language import LanguageEnricher, build_detector, detect_language
from pipeline.enrich.resources import Resources


@pytest.fixture(scope="module")
def detector():
    return build_detector()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The deconfliction line runs down the Euphrates River, the defense secretary said.", "en"),
        ("Der Bundestag hat am Donnerstag ein neues Gesetz zur Energiepolitik beschlossen.", "de"),
        ("Le gouvernement a annoncé mardi une réforme des retraites très contestée.", "fr"),
        ("الحكومة أعلنت اليوم عن خطة جديدة لدعم الاقتصاد الوطني", "ar"),
        ("Правительство объявило о новых мерах поддержки экономики страны.", "ru"),
    ],
)
def test_language_is_detected(detector, text, code):
    assert detect_language(detector, text) == code


def test_too_little_text_is_undetermined_unless_the_source_declared_it(detector):
    assert detect_language(detector, "12 34 !!") == "und"
    assert detect_language(detector, "OK", declared="en-GB") == "en"


def test_enricher_reads_headline_and_body():
    record = {
        "headline": "Regierung beschließt Reform",
        "body": "Der Bundestag hat heute ein Gesetz beschlossen.",
    }
    LanguageEnricher(Resources()).enrich([record])
    assert record["language"] == "de"
