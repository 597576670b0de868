"""Write the sample Word article of the corpus: ``corpus/euphrates-summer.docx``.

A short news analysis, written for refcheck's sample corpus, with what a Word
manuscript carries: real Word footnotes citing outlets with dates and addresses, body
hyperlinks, a ``HYPERLINK`` field code, a link that cannot be reached (an address
under the reserved ``.invalid`` top-level domain, RFC 2606: it never resolves, so it
is dead on every machine), and the document's core properties (title, author,
created date, company). The zip's timestamps are fixed: running the script again
gives the same bytes.

    python scripts/make_sample_docx.py [OUTPUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from docx_maker import WordDocument, field_link, footnote_ref, run  # noqa: E402

OUTPUT = ROOT / "corpus" / "euphrates-summer.docx"

NOTES = {
    1: ' Reuters: "Iraq cuts summer crops as Euphrates runs low", June 19, 2018, '
    "https://www.reuters.com/article/us-iraq-water-agriculture/iraq-cuts-summer-crops-as-euphrates-runs-low-idUSKBN1JF1ZQ",
    2: ' Al-Monitor: "Basra water crisis deepens", 27 August 2018, '
    "https://www.al-monitor.com/pulse/originals/2018/08/iraq-basra-water-crisis-salinity.html",
    3: " Anadolu Agency, 3 September 2018, "
    "https://www.aa.com.tr/en/middle-east/turkey-iraq-discuss-water-release-from-tigris-dams/1243987",
    4: " Ministry of Water Resources, reservoir bulletin, 12.08.2018, "
    "https://mowr-bulletins.invalid/2018/08/reservoir-levels.pdf",
    5: ' Rudaw: "Farmers in Nineveh count the cost of a dry year", 5 September 2018, '
    "https://www.rudaw.net/english/middleeast/iraq/050920182",
}


def build() -> bytes:
    document = WordDocument(
        title="A Summer Without Water: Iraq and the Euphrates",
        creator="Sam Haddad",
        created="2018-09-07T08:30:00Z",
        company="Levant Dispatch",
    )
    document.add(run("A Summer Without Water: Iraq and the Euphrates"), style="Title")
    document.add(run("By Sam Haddad, Middle East Desk, 7 September 2018"))
    document.add(
        run("Iraq's farmers planted less this summer than in any year since the 1990s. With the Euphrates running "
            "at a fraction of its usual flow, the agriculture ministry cut the area allowed for rice and maize by "
            "more than half, and in the provinces downstream whole villages gave up on a crop altogether."),
        footnote_ref(1),
    )  # fmt: skip
    document.add(
        run("The shortage is worst in the south. In Basra, where the river water reaching the city is now so salty "
            "that it cannot be drunk without treatment, hospitals reported thousands of cases of poisoning in "
            "August, and the protests that followed turned on the provincial government."),
        footnote_ref(2),
        run(" The city's own "),
        document.hyperlink("https://www.bbc.co.uk/news/world-middle-east-45369425", "Basra protests: water, power and anger"),
        run(" have been covered at length; the figures behind them are less often set out."),
    )  # fmt: skip
    document.add(
        run("Much of the argument is about what happens upstream. Turkey has been filling the reservoir behind the "
            "Ilisu dam on the Tigris, and both Turkish and Syrian dams hold back water that once reached Iraq in "
            "spring. Ankara agreed in September to delay filling and to release more water,"),
        footnote_ref(3),
        run(" a gesture that the "),
        field_link('HYPERLINK "https://www.aljazeera.com/news/2018/09/iraq-turkey-water-talks-ilisu-180904112233445.html"',
                   "Iraq and Turkey hold talks on the Ilisu dam"),
        run(" coverage treats as a reprieve rather than a settlement."),
    )  # fmt: skip
    document.add(
        run("The government's own numbers are hard to follow. The ministry publishes monthly reservoir levels, "
            "but the bulletin for August has already disappeared from the address it was first posted at,"),
        footnote_ref(4),
        run(" and the figures quoted by officials do not always match those that the "),
        document.hyperlink("https://www.unicef.org/iraq/press-releases/water-crisis-basra",
                           "UN children's agency published on Basra"),
        run("."),
    )  # fmt: skip
    document.add(
        run("For the farmers of Nineveh and Anbar, the numbers matter less than the calendar. A second dry winter "
            "would empty the villages that survived this one, and the people leaving them have few places to go."),
        footnote_ref(5),
        run(" The long view, from a regional researcher's blog, is at https://tigris-euphrates-notes.blogspot.com/"
            "2018/09/a-basin-without-a-treaty.html."),
    )  # fmt: skip
    for number, text in NOTES.items():
        document.footnotes[number] = [run(text)]
    return document.build()


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else OUTPUT
    output.write_bytes(build())
    print(output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
