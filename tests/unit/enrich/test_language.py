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


def test_a_clear_opening_settles_a_long_article_and_an_unclear_one_reads_further(detector):
    german = "Der Bundestag hat am Donnerstag ein neues Gesetz zur Energiepolitik beschlossen. "
    names = "Angela Merkel, Olaf Scholz, Emmanuel Macron, Joe Biden, Rishi Sunak. " * 6
    looked: list[int] = []

    class Recording:
        def compute_language_confidence_values(self, text):
            looked.append(len(text))
            return detector.compute_language_confidence_values(text)

    assert detect_language(Recording(), german * 40) == "de"
    assert looked == [400]
    looked.clear()
    assert detect_language(Recording(), names + german * 40) == "de"
    assert looked == [400, 3000]
