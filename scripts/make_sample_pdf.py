"""Write the sample PDF of the corpus: ``corpus/hodeidah-port-brief.pdf``.

A two-page research brief, written for refcheck's sample corpus, with what a
PDF report carries: numbered endnotes ("[1] Outlet: title, date, address") under
a "Notes" heading, bracketed markers in the body, link annotations in the body
and in a note, an address that wraps across two lines (after a hyphen the address
really has), a link that cannot be reached (an address under the reserved
``.invalid`` top-level domain, RFC 2606: it never resolves, so it is dead on every
machine), page numbers, and the document's metadata (title, author, creation
date). reportlab writes it in invariant mode with a fixed creation date: running
the script again gives the same bytes.

    python scripts/make_sample_pdf.py [OUTPUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pdf_maker import Line, Span, make_pdf  # noqa: E402

OUTPUT = ROOT / "corpus" / "hodeidah-port-brief.pdf"
TITLE = "Hodeidah: The Port at the Centre of Yemen's War"

PAGE_ONE: list[Line] = [
    [Span(TITLE, size=15)],
    "",
    "Research brief. By Lina Haddad, Gulf Desk, 14.09.2018, www.levantdispatch.net",
    "",
    "Almost three quarters of the food, fuel and medicine that reaches northern Yemen comes in",
    "through the Red Sea port of Hodeidah. When the Saudi-led coalition and the forces allied to it",
    "reached the city's southern edge in June, aid agencies warned that a battle for the port could cut",
    "the lifeline of some eight million people who already live on emergency rations.[1]",
    "",
    "The coalition's case is that the port is also the Houthis' main source of revenue and, it says, a",
    "route for weapons. The Houthis deny the second charge and point to the inspections the United",
    "Nations carries out on ships bound for the port. Both sides agree on one thing: whoever holds",
    "Hodeidah holds the strongest hand in any negotiation.[2]",
    "",
    [
        "Diplomacy has struggled to keep up. The ",
        Span("UN envoy, Martin Griffiths", url="https://osesgy.unmissions.org/"),
        ", proposed in July that the",
    ],
    "port be handed to UN management, a plan both sides accepted in principle and neither in",
    "detail.[3] Talks called for Geneva in September collapsed before they began, when the Houthi",
    "delegation did not arrive.[5]",
    "",
    "Prices tell the story faster than the front line. The cost of a basic food basket in the north",
    "rose by more than a third between January and August, as the rial fell and importers waited",
    "for ships held at anchor.[4] Fuel shortages followed, and with them the pumps that supply the",
    "city's drinking water. Aid workers describe a slow siege rather than a battle: no single day of",
    "catastrophe, but a steady narrowing of what a family can buy.",
    "",
    "What would change the picture is an agreement on the port alone, separate from the wider war:",
    "customs revenue paid into a neutral account, inspections kept with the UN, and the road to",
    "Sanaa kept open. It is a modest goal. After four years of war it may also be the only one within",
    "reach this year.",
]

PAGE_TWO: list[Line] = [
    "Notes",
    "",
    '[1] Reuters: "Battle for Yemen\'s Hodeidah port threatens aid lifeline", 13 June 2018,',
    "https://www.reuters.com/article/us-yemen-security-hodeidah/battle-for-yemens-hodeidah-port-",
    "threatens-aid-lifeline-idUSKBN1J91ZX",
    '[2] Al Jazeera: "Why Hodeidah matters", 14 June 2018,',
    "https://www.aljazeera.com/news/2018/06/hodeidah-matters-180614093817641.html",
    [
        '[3] BBC News: "UN envoy proposes port handover", 2 July 2018, ',
        Span("BBC report", url="https://www.bbc.co.uk/news/world-middle-east-44681942"),
    ],
    '[4] World Food Programme, "Yemen market watch", August 2018,',
    "https://wfp-market-watch.invalid/yemen/2018-08-market-watch.pdf",
    '[5] Middle East Eye: "Geneva talks on Yemen collapse", 9 September 2018,',
    "https://www.middleeasteye.net/news/yemen-geneva-talks-collapse-houthi-delegation-1937418",
]


def build() -> bytes:
    # Each page ends with its number, a few lines down (the reader drops lone page numbers).
    footers: list[list[Line]] = [["", "", "1"], ["", "", "2"]]
    return make_pdf(
        [PAGE_ONE + footers[0], PAGE_TWO + footers[1]],
        title=TITLE,
        author="Lina Haddad",
        created="D:20180914083000Z",
    )


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    output.write_bytes(build())
    print(f"wrote {output} ({output.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
