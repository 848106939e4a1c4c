"""Hungarian alphabetical order (MTA, A magyar helyesírás szabályai, 12th ed., §§ 15–16).

Every case lists names (or the Academy's own example words) in the order the rules give; the
comment above it is the reasoning. Letters: a=á b c cs d dz dzs e=é f g gy h i=í j k l ly m n ny
o=ó ö=ő p q r s sz t ty u=ú ü=ű v w x y z zs, where "=" means equal at the first level: the
short vowel comes first only when nothing else differs.
"""

import random
import re
import unicodedata

import pytest

from journal.i18n import hungarian_key, person_key, sort_hungarian
from journal.models import Role
from tests.factories import make_group, make_membership, make_user

# § 15: only a shortened double (nny = ny + ny) is split in two; "tizennyolc" is tizen+nyolc,
# n + ny. Telling the two apart needs the word's structure, which a letter rule cannot know.
COMPOUND_SEAM = pytest.mark.xfail(
    strict=True, reason="AkH. 15: tizen+nyolc is n + ny, not a shortened ny + ny"
)

ORDERED = [
    # --- The nine multi-letter consonants are single letters, after their first letter (§ 15).
    # c < cs: "Cecília" (c-e) before "Csaba" (cs).
    pytest.param(["Cecília", "Csaba"], id="c<cs"),
    # An old "cz" is c then z, and c < cs: Czakó (c-z-a) < Cziráki (c-z-i) < Csaba (cs).
    pytest.param(["Czakó", "Cziráki", "Csaba"], id="cz<cs"),
    # d < dz < dzs: Dudás (d-u), Dzurják (dz-u), Dzsida (dzs-i).
    pytest.param(["Dudás", "Dzurják", "Dzsida"], id="d<dz<dzs"),
    # d-ó against dz: d < dz, whatever follows (a byte sort puts "Dz" before "Dó").
    pytest.param(["Dózsa", "Dzurják"], id="do<dz"),
    # g < gy: Gál, Gulyás (g-á, g-u) before Gyenes, Gyurkó (gy).
    pytest.param(["Gál", "Gulyás", "Gyenes", "Gyurkó"], id="g<gy"),
    # l < ly: Lőrinc (l-ő) before Lyka (ly).
    pytest.param(["Lőrinc", "Lyka"], id="l<ly"),
    # n < ny: Nádas, Nagy (n-á, n-a-gy) before Nyári (ny).
    pytest.param(["Nádas", "Nagy", "Nyári"], id="n<ny"),
    # s < sz: Sütő (s-ü) before Szabó (sz).
    pytest.param(["Sütő", "Szabó"], id="s<sz"),
    # t < ty: Tóth (t-ó) before Tyukodi (ty).
    pytest.param(["Tóth", "Tyukodi"], id="t<ty"),
    # z < zs: Zádor, Zoltán (z) before Zsámboki, Zsolnai (zs).
    pytest.param(["Zádor", "Zoltán", "Zsámboki", "Zsolnai"], id="z<zs"),
    # Capitals change nothing: CSÁKY still begins with the letter cs, after Czakó.
    pytest.param(["Czakó", "CSÁKY"], id="capital-digraph"),
    # --- ö/ő after o/ó, ü/ű after u/ú; o=ó and ö=ő at the first level (§ 15).
    # Oszkai (o-sz) < Óvári (ó-v): sz < v decides, the accent does not. Óvári < Ördög: o < ö.
    # Ördög (ö-r-d) < Őri (ő-r-i): ö=ő, r=r, d < i.
    pytest.param(["Oszkai", "Óvári", "Ördög", "Őri"], id="o=o<o=o"),
    # Ódor (ó-d) < Oláh (o-l): d < l; a byte sort would put O before Ó.
    pytest.param(["Ódor", "Oláh"], id="o-with-o"),
    # Olajos (o) < Ökrös (ö) < Pap (p): ö is its own letter between o and p.
    pytest.param(["Olajos", "Ökrös", "Pap"], id="o-between-o-and-p"),
    # Újvári (ú-j) < Urbán (u-r): j < r. Urbán < Ürge: u < ü. Ürge (ü-r-g) < Űrös (ű-r-ö):
    # g < ö. Űrös (ű-r) < Üveges (ü-v): r < v.
    pytest.param(["Újvári", "Urbán", "Ürge", "Űrös", "Üveges"], id="u=u<u=u"),
    # Szőke (sz-ő-k) < Szöllősi (sz-ö-l): ö=ő, then k < l.
    pytest.param(["Szőke", "Szöllősi"], id="o=o"),
    # --- Short and long vowels are equal; the next letter decides (§ 15).
    # Adorján (a-d) < Ágnes (á-g): d < g.
    pytest.param(["Adorján", "Ágnes"], id="a=a:adorjan<agnes"),
    # Ábrahám (á-b) < Adorján (a-d): b < d, although A < Á in a byte sort.
    pytest.param(["Ábrahám", "Adorján"], id="a=a:abraham<adorjan"),
    # Ébner (é-b) < Edit (e-d): b < d.
    pytest.param(["Ébner", "Edit"], id="e=e"),
    # Íjgyártó (í-j) < Illés (i-l): j < l.
    pytest.param(["Íjgyártó", "Illés"], id="i=i"),
    # --- Only when nothing else differs does the short vowel come first (§ 15).
    # Kovacs (a) < Kovács (á); Toth (o) < Tóth (ó).
    pytest.param(["Kovacs", "Kovács"], id="tie:kovacs<kovacs"),
    pytest.param(["Toth", "Tóth"], id="tie:toth<toth"),
    # The Academy's examples: the first vowel that differs in length decides.
    pytest.param(["kerek", "kerék", "keres", "kérés"], id="tie:kerek"),
    pytest.param(["Eger", "egér", "egyfelé", "egyféle", "elöl", "elől"], id="tie:eger"),
    # --- Shortened doubles are written out: ssz = sz+sz, ggy = gy+gy, lly = ly+ly ... (§ 15).
    # Hoszpodár (h-o-sz-p) < Hosszú (h-o-sz-sz-ú): p < sz. Read as s+sz it would come first.
    pytest.param(["Hoszpodár", "Hosszú"], id="ssz=sz+sz"),
    # Megyeri (m-e-gy-e) < Meggyes (m-e-gy-gy): e < gy. Read as g+gy it would come first.
    pytest.param(["Megyeri", "Meggyes"], id="ggy=gy+gy"),
    # Illés (i-l-l) < Ilosvai (i-l-o): l < o. Ilosvai (i-l-o) < Illyés (i-ly-ly): l < ly.
    pytest.param(["Illés", "Ilosvai", "Illyés"], id="lly=ly+ly"),
    # Menyhárt (m-e-ny-h) < Mennyei (m-e-ny-ny): h < ny.
    pytest.param(["Menyhárt", "Mennyei"], id="nny=ny+ny"),
    # Botvai (b-o-t-v) < Bottyán (b-o-ty-ty): t < ty. Read as t+ty it would come first.
    pytest.param(["Botvai", "Bottyán"], id="tty=ty+ty"),
    # The Academy's examples (kaszinó < kassza < kaszt; Menyhért < mennybolt < mennyi).
    pytest.param(
        ["kas", "Kasmír", "Kassák", "kastély", "kasza", "kaszinó", "kassza", "kaszt"],
        id="akh:kassza",
    ),
    pytest.param(["menza", "meny", "Menyhért", "mennybolt", "mennyi"], id="akh:mennyi"),
    pytest.param(["nagy", "naggyá", "nagygyakorlat", "naggyal", "nagyít"], id="akh:naggyal"),
    # --- A word before its longer continuations; case only as the last resort (§ 15).
    # Kis < Kiss < Kissné: nothing comes before something.
    pytest.param(["Kis", "Kiss", "Kissné"], id="prefix:kis<kiss<kissne"),
    # Horvát < Horváth; Nagy < Nagyné.
    pytest.param(["Horvát", "Horváth", "Nagy", "Nagyné"], id="prefix:horvat"),
    # "szabó" (the word) before "Szabó" (the name): small letter first when nothing else differs.
    pytest.param(["szabó", "Szabó", "szűcs", "Szűcs"], id="case:lower-first"),
    # --- Old spellings in family names: their letters one by one (§ 16).
    # Cholnoky = c-h-o: c-h < c-i (Cibula) < cs (Csonka).
    pytest.param(["Cholnoky", "Cibula", "Csonka"], id="old:ch=c+h"),
    # Széchenyi = sz-é-c-h: c < cs, so before Szécsi.
    pytest.param(["Széchenyi", "Szécsi"], id="old:szechenyi"),
    # Kováts = k-o-v-á-t-s: cs < t, so after Kovács.
    pytest.param(["Kovács", "Kováts"], id="old:ts=t+s"),
    # Szalay ends in y, a letter after i: Szalai < Szalay.
    pytest.param(["Szalai", "Szalay"], id="old:y-after-i"),
    # Eötvös = e-ö-t: ö < r, so before Erdős.
    pytest.param(["Eötvös", "Erdős"], id="old:eo=e+o"),
    # Batthyány = b-a-t-t-h-y-á-ny, Báthory = b-á-t-h-o-r-y: a=á, t=t, then h < t.
    pytest.param(["Báthory", "Batthyány"], id="old:batthyany"),
    # The Academy's examples with foreign letters: a mark counts only when nothing else
    # differs, and then the marked word comes second (Gärtner with the a's, Mošna after mosna).
    pytest.param(
        ["cérna", "Černý", "Cholnoky", "címez", "cukor", "Czuczor", "csapat"], id="akh:cerny"
    ),
    pytest.param(
        ["Gaal", "galamb", "Gärtner", "gáz", "geodézia", "góc", "Goethe"], id="akh:gartner"
    ),
    pytest.param(["moshat", "mosna", "Mošna", "mosópor", "mostan", "munka", "Muñoz"], id="akh:s"),
    # --- Hyphenated names: Kovács < Kovács-Nagy < Kovácsné (k-o-v-á-cs-n-a < ...-n-é), the
    # same whether the hyphen is skipped (the rule) or read as a word boundary.
    pytest.param(["Kovács", "Kovács-Nagy", "Kovácsné"], id="hyphen:kovacs-nagy"),
    # Full names in one string: Kovács Béla < Kovács-Nagy Anna (b < n after "Kovács").
    pytest.param(["Kovács Béla", "Kovács-Nagy Anna", "Kovácsné Kiss Éva"], id="hyphen:full"),
    # --- Word boundaries do not count (§ 15): a phrase or hyphenated name sorts as one word.
    # Kovács-Nagy is read as "kovácsnagy": Kovácsik (k-o-v-á-cs-i) < Kovács-Nagy (…-cs-n).
    pytest.param(["Kovács", "Kovácsik", "Kovács-Nagy"], id="hyphen:kovacsik"),
    # Nagy-Szabó is "nagyszabó": Nagybaczoni (gy-b) < Nagyné (gy-n) < Nagy-Szabó (gy-sz).
    pytest.param(
        ["Nagy", "Nagybaczoni", "Nagyné", "Nagy-Szabó"],
        id="hyphen:nagy-szabo",
    ),
    # The Academy's examples: Tiszahát < Tisza Kálmán < Tisza menti < Tiszántúl < Tisza-part.
    pytest.param(
        ["tiszafa", "Tiszahát", "Tisza Kálmán", "Tisza menti", "Tiszántúl", "Tisza-part"],
        id="akh:tisza",
    ),
    pytest.param(
        ["kis részben", "kissé", "Kiss Ernő", "kis sorozat", "kissorozat-gyártás", "kis számban"],
        id="akh:kis-szamban",
    ),
    # --- A foreign letter that differs from a Hungarian one only by a mark is no letter of its
    # own (§ 16), also where Unicode does not decompose the mark (ø, ł).
    # Møller is m-o-l-l: before Molnár (m-o-l-n). Łukasiewicz is l-u-k: before Lupták (l-u-p).
    pytest.param(["Møller", "Molnár"], id="foreign:o-stroke"),
    pytest.param(["Łukasiewicz", "Lupták"], id="foreign:l-stroke"),
    pytest.param(["mosópor", "Møsstrand", "mostan"], id="akh:o-stroke"),
    # --- A known departure (marked, see above). tizen-nyolc (n-ny) < tizen-öt (n-ö): ny < ö.
    pytest.param(["tizennyolc", "tizenöt"], id="compound:tizennyolc", marks=COMPOUND_SEAM),
]


@pytest.mark.parametrize("names", ORDERED)
def test_hungarian_order(names):
    """Each key is strictly smaller than the next, and sorting a shuffle gives the order back."""
    keys = [hungarian_key(name) for name in names]
    assert all(a < b for a, b in zip(keys, keys[1:], strict=False)), names
    for seed in range(3):
        shuffled = names[::-1] if seed == 0 else random.Random(seed).sample(names, len(names))
        assert sort_hungarian(shuffled, key=lambda name: name) == names


def test_enough_tricky_names():
    """The cases above cover at least thirty names (the brief's floor)."""
    names = {name for case in ORDERED for name in case.values[0]}
    assert len(names) >= 30


def test_decomposed_accents_sort_like_composed_ones():
    """A name typed with combining accents (NFD, as some phones send it) sorts like NFC."""
    ordo = unicodedata.normalize("NFD", "Ördög")
    assert ordo != "Ördög"
    assert sort_hungarian(["Őri", ordo, "Óvári"], key=lambda n: n) == ["Óvári", ordo, "Őri"]
    assert hungarian_key(ordo)[:3] == hungarian_key("Ördög")[:3]


def test_signs_that_are_digits_only_to_isdigit_sort_without_error():
    """ "²", "①" and "³" are digits to str.isdigit() but no number to int(): a name with one
    once made every page that sorts names answer 500. They sort after the digits, as signs;
    "٣" (an Arabic-Indic three) sorts as a 3."""
    names = ["Nyári²", "Nyári①", "Nyári³", "Nyári٣", "Nyári2"]
    assert sort_hungarian(names, key=lambda n: n) == [
        "Nyári2",
        "Nyári٣",
        "Nyári²",
        "Nyári³",
        "Nyári①",
    ]


def test_surrounding_spaces_do_not_count():
    """Leading and trailing spaces (a careless form entry) change nothing but the tie-break."""
    assert hungarian_key("  Szabó ")[:3] == hungarian_key("Szabó")[:3]
    assert sort_hungarian([" Szabó", "Sütő"], key=lambda n: n) == ["Sütő", " Szabó"]


# (family name, given name) in the expected order. Same family name: the given name decides
# (Kis Ádám < Kis Zoltán; Szabó Cecília < Szabó Csilla, c < cs).
PEOPLE = [
    ("Czakó", "Béla"),
    ("Csányi", "Emese"),
    ("Gál", "Anna"),
    ("Gyurkó", "Péter"),
    ("Hoszpodár", "Ilona"),
    ("Hosszú", "Ádám"),
    ("Illés", "Kata"),
    ("Ilosvai", "Lőrinc"),
    ("Illyés", "Gyula"),
    ("Kis", "Ádám"),
    ("Kis", "Zoltán"),
    ("Kiss", "Éva"),
    ("Kissné", "Bea"),
    ("Kovács", "Zoltán"),
    ("Kovács-Nagy", "Anna"),
    ("Megyeri", "Tamás"),
    ("Meggyes", "Lili"),
    ("Oszkai", "Réka"),
    ("Óvári", "Ede"),
    ("Ördög", "Nóra"),
    ("Őri", "Balázs"),
    ("Sütő", "Gábor"),
    ("Szabó", "Cecília"),
    ("Szabó", "Csilla"),
    ("Zoltai", "Ferenc"),
    ("Zsolnai", "Dóra"),
]


def test_sort_hungarian_with_family_and_given_name():
    """A (family, given) key orders by family name first, then by given name."""
    shuffled = random.Random(7).sample(PEOPLE, len(PEOPLE))
    assert sort_hungarian(shuffled, key=lambda p: p) == PEOPLE
    # Family name first: "Kis Zoltán" precedes "Kiss Éva" (Kis < Kiss), although k-i-s-z
    # would follow k-i-s-s letter by letter; and Kovács Zoltán precedes Kovács-Nagy Anna.
    pairs = [(("Kis", "Zoltán"), ("Kiss", "Éva")), (("Kovács", "Zoltán"), ("Kovács-Nagy", "Anna"))]
    for first, second in pairs:
        assert sort_hungarian([second, first], key=lambda p: p) == [first, second]


def test_person_key_is_family_then_given(app):
    """person_key returns (family name, given name), the order names are shown in."""
    user = make_user(family_name="Őri", given_name="Balázs")
    assert person_key(user) == ("Őri", "Balázs")


def test_group_page_lists_members_in_hungarian_order(client, log_in):
    """The group page shows mentors and participants in Hungarian order, whatever the input."""
    group = make_group(slug="betu", name="Betűrend csoport")
    users = {}
    for family, given in random.Random(3).sample(PEOPLE, len(PEOPLE)):
        users[family, given] = make_user(family_name=family, given_name=given)
        make_membership(users[family, given], group)
    mentors = [("Zsolnai", "Mária"), ("Czakó", "Ödön")]  # inserted out of order
    for family, given in mentors:
        make_membership(make_user(family_name=family, given_name=given), group, Role.MENTOR)
    log_in(users["Ördög", "Nóra"])

    html = client.get("/groups/betu").get_data(as_text=True)

    table = html.index('<table class="members">')
    mentor_line = html[html.index('id="members-title"') : table]
    assert re.findall(r"<strong>([^<]+)</strong>", mentor_line) == ["Czakó Ödön", "Zsolnai Mária"]
    shown = re.findall(r"<tr><td>([^<]+)</td>", html[table : html.index("</table>", table)])
    assert shown == [f"{family} {given}" for family, given in PEOPLE]
