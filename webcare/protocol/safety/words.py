"""The Dutch word tables of the safety analyser: violent verbs in all their forms, targets, frames, abuse (pure).

Forms are written once here and expanded into lookup tables in `lexicon.py`; an organisation adds its own
through the protocol file (`vocabulary.safety`).
"""

from __future__ import annotations

import re

# Violent verbs that stand on their own: lemma → (person_only, forms). A form ending in "*" marks a past tense
# or participle (used to tell a report of an event from a threat). `person_only`: the verb needs no target
# to be violent (vermoorden always means a person); the others need a person, group or building in the clause.
WHOLE_VERBS: dict[str, tuple[bool, str]] = {
    "vermoorden": (True, "vermoorden vermoord vermoordt vermoordde* vermoordden* vermoorde* vermoor"),
    "doden": (True, "doden doodt doodde* doodden* gedood* gedoodt*"),
    "doodmaken": (True, "doodmaken doodgemaakt* doodmaak"),
    "doodschieten": (True, "doodschieten doodgeschoten* doodschiet"),
    "doodsteken": (True, "doodsteken doodgestoken* doodsteekt"),
    "doodslaan": (True, "doodslaan doodgeslagen* doodsla doodslaat"),
    "doodtrappen": (True, "doodtrappen doodgetrapt* doodtrap"),
    "doodrijden": (True, "doodrijden doodgereden* doodrij"),
    "afmaken": (False, "afmaken afgemaakt* afmaak afmaakt"),
    "neersteken": (True, "neersteken neergestoken* neersteek neersteekt"),
    "neerschieten": (True, "neerschieten neergeschoten* neerschiet neerschiet"),
    "neerknallen": (
        True,
        "neerknallen neergeknald* neerknal neerknalt afknallen afgeknald* afknal afknalt "
        "leegschieten leeggeschoten* overhoopschieten",
    ),
    "afschieten": (False, "afschieten afgeschoten* afschiet"),
    "ingooien": (False, "ingooien ingegooid* ingooi"),
    "ontploffen": (False, "ontploffen ontploft"),
    "neerslaan": (False, "neerslaan neergeslagen* neersla"),
    "opknopen": (True, "opknopen opgeknoopt* opknoop opknoopt"),
    "ophangen": (False, "ophangen opgehangen* ophang"),
    "onthoofden": (True, "onthoofden onthoofd onthoofdt onthoofdde* kelen gekeeld*"),
    "verkrachten": (True, "verkrachten verkracht verkrachtte*"),
    "opblazen": (False, "opblazen opgeblazen* opblaas opblaast"),
    "afslachten": (True, "afslachten afgeslacht* slachten"),
    "executeren": (True, "executeren geexecuteerd* executeer"),
    "lynchen": (True, "lynchen gelyncht* lynch"),
    "wurgen": (True, "wurgen gewurgd* wurg"),
    "martelen": (True, "martelen gemarteld* martel"),
    "vergassen": (True, "vergassen vergast"),
    "uitroeien": (True, "uitroeien uitgeroeid*"),
    "kapotmaken": (False, "kapotmaken kapotgemaakt* kapotslaan kapotgeslagen*"),
    "aftuigen": (True, "aftuigen afgetuigd*"),
    "in elkaar slaan": (True, "inelkaarslaan inelkaargeslagen* inelkaartrappen inelkaargetrapt* inelkaarrammen"),
    "in brand steken": (False, "inbrandsteken inbrandgestoken* aansteken aangestoken* afbranden platbranden"),
    "neermaaien": (True, "neermaaien neergemaaid*"),
    "slaan": (False, "sla slaan"),
    "schieten": (False, "schiet schieten"),
    "steken": (False, "steek"),
    "aandoen": (False, "aandoen"),
    "opwachten": (False, "opwachten opwacht"),
    "omleggen": (True, "omleggen omgelegd*"),
    "bestormen": (False, "bestormen bestorm bestormt bestormd*"),
}

# Separable verbs with the particle later in the clause ("ik maak je af", "steek hem neer"):
# stem forms → lemma per particle. Particles are single tokens after the phrase merges of `lexicon.py`.
SEPARABLE: dict[str, dict[str, str]] = {
    "maak maakt maken maakte maakten gemaakt": {
        "af": "afmaken",
        "dood": "doodmaken",
        "kapot": "kapotmaken",
        "koud": "doden",
        "kopjekleiner": "onthoofden",
        "vankant": "doden",
    },
    "leg legt leggen legde": {"om": "omleggen"},
    "ruim ruimt ruimen geruimd": {"uitdeweg": "uit de weg ruimen"},
    "neem neemt nemen genomen": {"tegrazen": "te grazen nemen"},
    "steek steekt steken stak staken gestoken": {
        "neer": "neersteken",
        "dood": "doodsteken",
        "inbrand": "in brand steken",
        "indefik": "in brand steken",
        "aan": "in brand steken",
        "vuur": "in brand steken",
    },
    "schiet schieten schoot schoten geschoten": {
        "af": "neerknallen",
        "neer": "neerschieten",
        "leeg": "neerschieten",
        "dood": "doodschieten",
        "overhoop": "neerschieten",
        "kapot": "neerschieten",
        "lek": "neerschieten",
    },
    "knal knalt knallen knalde knalden geknald": {
        "neer": "neerknallen",
        "af": "neerknallen",
        "dood": "neerknallen",
        "kapot": "neerknallen",
        "overhoop": "neerknallen",
    },
    "sla slaat slaan sloeg sloegen geslagen": {
        "dood": "doodslaan",
        "neer": "neerslaan",
        "inelkaar": "in elkaar slaan",
        "kapot": "kapotmaken",
        "verrot": "in elkaar slaan",
        "knockout": "in elkaar slaan",
    },
    "trap trapt trappen trapte trapten getrapt": {
        "dood": "doodtrappen",
        "inelkaar": "in elkaar slaan",
        "verrot": "in elkaar slaan",
        "kapot": "in elkaar slaan",
    },
    "ram ramt rammen ramde beuk beukt beuken geramd gebeukt schop schopt schoppen": {
        "inelkaar": "in elkaar slaan",
        "kapot": "in elkaar slaan",
        "verrot": "in elkaar slaan",
        "dood": "doodtrappen",
    },
    "rij rijdt rijden reed reden": {"dood": "doodrijden", "omver": "doodrijden"},
    "knoop knoopt knopen geknoopt": {"op": "opknopen"},
    "hang hangt hangen gehangen": {"op": "ophangen"},
    "blaas blaast blazen blies geblazen": {"op": "opblazen"},
    "tuig tuigt tuigen": {"af": "aftuigen"},
    "steek": {"af": "neersteken"},
    "gooi gooit gooien": {"indefik": "in brand steken", "fikerin": "in brand steken"},
    "zet zetten": {"indefik": "in brand steken", "inbrand": "in brand steken", "tegendemuur": "executeren"},
}
PAST_STEMS = frozenset(
    "maakte maakten stak staken schoot schoten knalde knalden sloeg sloegen trapte trapten ramde "
    "reed reden blies gemaakt gestoken geschoten geknald geslagen getrapt geramd gebeukt geknoopt "
    "gehangen geblazen".split()
)

# Multi-word expressions merged into one token before analysis.
PHRASES = {
    ("in", "elkaar"): "inelkaar",
    ("in", "mekaar"): "inelkaar",
    ("in", "de", "fik"): "indefik",
    ("in", "brand"): "inbrand",
    ("in", "de", "hens"): "inbrand",
    ("de", "fik", "erin"): "fikerin",
    ("fik", "erin"): "fikerin",
    ("bont", "en", "blauw"): "verrot",
    ("knock", "out"): "knockout",
    ("tegen", "de", "muur"): "tegendemuur",
    ("van", "kant"): "vankant",
    ("koud", "maken"): "koudmaken",
    ("een", "kopje", "kleiner"): "kopjekleiner",
    ("uit", "de", "weg"): "uitdeweg",
    ("te", "grazen"): "tegrazen",
    ("in", "de", "fik", "steken"): "indefik steken",
}

# Nouns and idioms that threaten on their own in a threat frame ("verdient de kogel", "een kogel door je kop").
THREAT_NOUNS = frozenset(
    "kogel kogels strop galg molotov molotovcocktail brandbom bom bommen granaat handgranaat "
    "kopjekleiner vankant".split()
)
WEAPONS = frozenset(
    "mes messen pistool pistolen geweer geweren vuurwapen vuurwapens knuppel honkbalknuppel bijl "
    "machete machetes knuppels bijlen honkbalknuppels zwaard kalasj kalashnikov ak47 glock uzi shotgun jerrycan benzine molotov granaat bom "
    "handgranaat kogel kogels wapen wapens boksbeugel stiletto slagersmes vleesmes hakbijl "
    "kettingzaag koevoet blaffer proppenschieter hamer moker breekijzer stanleymes machinegeweer "
    "sniper springstof explosieven bomgordel vuurwerkbom handvuurwapen revolver".split()
)
EXPLOSIVES = frozenset(
    "bom bommen granaat handgranaat molotov molotovcocktail brandbom vuurwerkbom springstof "
    "explosieven bomgordel".split()
)
# Blows given or received as a threat ("die boa krijgt klappen van me", "ik geef je een pak slaag").
HARM_NOUNS = frozenset(
    "klappen klap dreun dreunen lel optater opdonder slaag rammel mep beuk kopstoot kogel "
    "kogels ongeluk ongelukje doodsklap trap schop".split()
)
HARM_GIVING = frozenset("geef geven krijgt krijg krijgen verkoop verkopen overkomt overkomen".split())
BODY_PARTS = frozenset(
    "strot keel nek kop hoofd hersens hersenen botten benen armen tanden gezicht smoel bek ogen "
    "neus schedel ribben knieschijven vingers harses snuit".split()
)
BODY_HARM_VERBS = frozenset(
    "trek breek snij snijd sla ram trap schop hak ruk draai steek schiet knal maak scheur prik "
    "verbrijzel plet ramt slaat breekt snijdt trekt hakt draait schiet".split()
)
POSSESSIVE_OTHERS = frozenset("je jouw zijn haar hun zn uw".split())
VISIT_VERBS = frozenset(
    "kom komen langs langskomen langskom opzoeken opzoek opwachten opwacht halen haal "
    "bezoeken bezoek staan sta voordeur deur afwachten vinden pakken pak grijpen".split()
)
BUILDINGS = frozenset(
    "gemeentehuis stadhuis raadhuis stadskantoor gemeentekantoor azc moskee kerk synagoge "
    "school kantoor gebouw huis woning politiebureau loket opvang asielzoekerscentrum "
    "raadszaal voordeur brievenbus auto tent inspraakavond raadsvergadering balie spreekuur "
    "vergadering".split()
)
# Weapon emoji → a weapon word; fire → a fire particle.
EMOJI_WORDS = {
    "🔪": "mes",
    "🗡": "mes",
    "🔫": "pistool",
    "💣": "bom",
    "🧨": "bom",
    "🪓": "bijl",
    "🔥": "vuur",
    "⚰": "doodskist",
    "🪦": "doodskist",
    "🩸": "bloed",
}

FIRST_PERSON = frozenset("ik k ikke ikzelf we wij wijzelf".split())
SECOND_PERSON = frozenset("je jij jou jullie u jouw".split())
THIRD_PERSON = frozenset(
    "hem haar ze zij hen hun die deze iemand iedereen allemaal allen mensen ieder elke "
    "elk figuur figuren type types persoon personen".split()
)
PERSON_NOUNS = frozenset(
    "man mannen vrouw vrouwen gast gasten vent venten wijf wijven kerel kerels jongen jongens "
    "meisje meid meiden kind kinderen buurman buurvrouw buren lijer lijers baby zoon dochter "
    "moeder vader familie gezin klant klanten bewoner bewoners hangjongeren dief dieven afdeling team "
    "personeel hap".split()
)
OFFICIAL_NOUNS = frozenset(
    "burgemeester wethouder wethouders ambtenaar ambtenaren raadslid raadsleden gemeenteraad "
    "boa boas handhaver handhavers agent agenten politie politieagent medewerker medewerkers "
    "baliemedewerker baliemedewerkers bestuurder bestuurders minister ministers premier "
    "politicus politici burgervader webcare webcareteam wijkagent griffier ambtenaartje "
    "beambte beambten inspecteur controleur controleurs directeur teamleider college bestuur "
    "medewerkster medewerksters baliemedewerkster ambtenares wethoudster handhaafster "
    "gemeentebestuur".split()
)
GROUP_NOUNS = frozenset(
    "asielzoeker asielzoekers moslim moslims jood joden homo homos homoseksuelen lesbo lesbos "
    "lesbiennes marokkaan marokkanen turk turken pool polen buitenlander buitenlanders "
    "allochtoon allochtonen vluchteling vluchtelingen statushouder statushouders transgender "
    "transgenders trans christen christenen surinamer surinamers antilliaan antillianen roma "
    "zigeuner zigeuners zwarte zwarten negers neger nikkers bruintjes arabieren afrikanen "
    "syriers eritreeers somaliers oekrainers bulgaren roemenen arbeidsmigranten gelukszoekers "
    "linksen rechtsen boeren woonwagenbewoners daklozen junkies migranten moslima hoofddoekjes "
    "kaaskoppen autochtonen blanken gekleurde gekleurden kleurlingen allochtone buitenlandse".split()
)
GROUP_VERBS = frozenset(
    "verpesten verpest verziekt verzieken vernielen vernielt overspoelen overspoelt pikken stelen stinken".split()
)
# After "die"/"deze" these words show a pronoun ("die moet je afmaken"), not a determiner ("die aanvraag").
PRONOUN_FOLLOWERS = frozenset(
    "moet moeten mag mogen gaat gaan ga zou zouden is zijn was verdient verdienen kan kunnen "
    "wil willen hoort horen je ik we wij ze jij hij zij allemaal ook wel gewoon eens "
    "krijgt krijgen".split()
)
PERSON_TARGETS = SECOND_PERSON | THIRD_PERSON | PERSON_NOUNS | OFFICIAL_NOUNS | GROUP_NOUNS

INTENT_MODALS = frozenset(
    "ga gaan gaat wil wilt willen zal zullen zult kom komen komt zou zouden ben plan "
    "moet moeten ging gingen wilde wilden".split()
)
NORM_MARKERS = frozenset(
    "moet moeten moest moesten zou zouden mag mogen verdient verdienen verdiend hoort horen "
    "laat laten tijd graag hoop hoopt hopelijk wens wenst wensen liefst beter mogen "
    "zullen betreft".split()
)
PASSIVE_AUX = frozenset("werd werden is was waren zijn ben heeft hebben had hadden word wordt worden geworden".split())
NEGATORS = frozenset("niet nooit geen niemand niks niets nergens nimmer".split())
CONDITIONALS = frozenset("als tenzij wanneer zodra indien anders want".split())
FEAR = frozenset("bang vrees vreest vrezen angst bezorgd zorgen".split())
HYPERBOLE = frozenset("bijna haast nearly lachen lach lachend lachte lol haha hahaha".split())
# Verbs with which "dood" is an idiom, not violence ("ik schrik me dood", "ik verveel me dood").
DEAD_IDIOMS = frozenset(
    "schrik schrikt schrikken schrok lach lacht lachen lachte verveel verveelt vervelen "
    "schaam schaamt schamen werk werkt werken zoek zoekt zoeken erger ergert ergeren vries "
    "vriest vriezen zweet zweten ga gaat gaan ging plant planten vis vissen kat hond konijn "
    "is was zijn waren doodlopend doodlopende dooie zeuren zeur zeurt wachten wacht".split()
)
# "dood" as a threat: with a wish or fate verb and a person ("ik wil je dood", "jij bent dood", "ik wens je de dood").
DEAD_WISH = frozenset(
    "wil wilt willen wens wenst wensen zie zien hebben bent ben gaat gaan zult zal hoop hoopt".split()
)

# Reporting and counter-speech.
REPORT_VERBS = frozenset(
    "schreef schreven schrijft schrijven zei zeiden zegt zeggen riep riepen roept roepen "
    "postte postten plaatste plaatsten dreigde dreigden dreigt dreigen twitterde tweette "
    "appte stuurde typte reageerde reageert noemt noemen noemde beweren beweert beweerde "
    "las lees staat stond citeer citaat screenshot".split()
)
REPORT_MARKERS = frozenset(
    "iemand schreef dreigde dreigden dreigt dreigen dreigement bedreiging bedreigd "
    "reacties reactie post bericht comment comments screenshot onder".split()
)
COUNTER_MARKERS = frozenset(
    "racisme racistisch racist racisten discriminatie discriminerend walgelijk "
    "verwerpelijk haatzaaien haatzaaiend haat afschuwelijk schamen schaam schaamt "
    "onacceptabel ontoelaatbaar triest bah gatverdamme smerig stop stoppen "
    "ziek zielig respectloos onmenselijk strafbaar gevaar gevaarlijk gestoord kwalijk "
    "verwerpelijk".split()
)

# Abuse: insults aimed at a person, slurs and dehumanising words aimed at a group.
INSULTS = frozenset(
    "klootzak klootzakken eikel eikels lul lullen hufter hufters idioot idioten debiel debielen "
    "randdebiel randdebielen mongool mongolen mongol sukkel sukkels oen oenen trut trutten kutwijf "
    "hoer hoeren slet sletten sloerie teef teven kankerlijer kankerlijers teringlijer teringlijers "
    "tyfuslijer tyfuslijers klerelijer klerelijers pleurislijer mafkees klojo klojos loser losers "
    "nietsnut nietsnutten parasiet parasieten uitvreter uitvreters profiteur profiteurs "
    "zakkenvuller zakkenvullers landverrader landverraders nazi nazis fascist fascisten "
    "kutlul klotelul zak zakken stomkop stommeling stommelingen imbeciel imbecielen kneus "
    "kneuzen halve gare graaier graaiers oplichter oplichters prutser prutsers "
    "leugenaar leugenaars dombo malloot kakkerlak smeerlap smeerlappen schoft schoften "
    "etterbak etterbakken ettertje rotzak rotzakken klootviool lulhannes hoerenzoon "
    "hoerenjong kankerhoer tyfushoer mietje flikker flikkers homofiel debiel achterlijke "
    "gestoorde psychopaat bitch bitches kutkind dwaas sul slappeling slappelingen verrader verraders pedo "
    "pedos makak makakken clown kneus".split()
)
ANIMALS = frozenset(
    "koe koeien varken varkens zwijn zwijnen geit geiten ezel ezels slang slangen kip aap apen rat "
    "ratten hond honden beest beesten kakkerlak kakkerlakken".split()
)
INSULT_ADJECTIVES = frozenset(
    "vuile vieze smerige domme stomme dikke lelijke achterlijke gore stinkende luie "
    "criminele kut vuil vies smerig".split()
)
GROUP_PREDICATES = frozenset(
    "ziek gestoord achterlijk dom lui vies smerig crimineel minderwaardig gevaarlijk "
    "gestoorde achterlijke minderwaardige".split()
)
XENOPHOBIC = (
    "terug naar je eigen land",
    "terug naar jullie eigen land",
    "terug naar je land",
    "oprotten naar je eigen land",
    "rot op naar je eigen land",
    "fokken als konijnen",
    "fokken als ratten",
)
SLURS = frozenset(
    "negers neger nikkers nikker bruintjes bruintje zandneger zandnegers geitenneuker geitenneukers "
    "spleetoog spleetogen poepchinees kutmarokkaan kutmarokkanen kutturk kutturken "
    "kankerjood kankerjoden kankermarokkaan kankerturk takkie takkies tyfusjood mohammedanen "
    "hoofddoekjes halalhoer homofielen makakken".split()
)
DEHUMANISING = frozenset(
    "ratten rat ongedierte kakkerlakken kakkerlak parasieten beesten beest apen aap "
    "bavianen vee zwijnen varkens honden hond wormen virus plaag tuig gespuis uitschot gajes "
    "schorem afval vuilnis vuil onkruid kanker pest gezwel tuigvolk".split()
)
GENERALISING = frozenset(
    "criminelen terroristen verkrachters dieven zakkenrollers profiteurs uitvreters "
    "leugenaars oplichters moordenaars pedos pedofielen".split()
)
DEHUMANISING_ALONE = frozenset("tuig gespuis uitschot gajes schorem tuigvolk".split())
COPULAS = frozenset(
    "zijn is bent ben net als lijken lijkt gedragen noemen soort stelletje stel bende zo een stuk".split()
)
CURSE_PREFIXES = ("kanker", "kk", "kkr", "tering", "tyfus", "klere", "kolere", "pleuris", "kut", "klote", "fucking")
DISEASE_WORDS = frozenset(
    "heeft heb had hebben hadden aan met tegen overleden ziek diagnose behandeling "
    "chemo ziekenhuis bestrijding onderzoek patient patienten gekregen".split()
)
CURSE_WISHES = frozenset("kanker tering tyfus klere kolere pleuris pest".split())
PROFANITY = frozenset(
    "kut klote shit fuck fucking godverdomme verdomme tering kanker tyfus klere kolere pleuris "
    "kk kkr wtf godsamme jezus jeetje potverdorie".split()
)

# Veiled threats and idioms that threaten by themselves (after normalisation, as token phrases).
VEILED = (
    "aan de hoogste boom",
    "wacht maar tot ik je",
    "wacht maar tot ik jou",
    "wacht maar tot we je",
    "wacht maar tot wij je",
    "weet waar je woont",
    "weet waar jij woont",
    "weten waar je woont",
    "weten waar jij woont",
    "weet waar u woont",
    "weet waar jullie wonen",
    "weten waar jullie wonen",
    "weet waar je kinderen",
    "weet waar jouw kinderen",
    "weet waar hij woont",
    "weet waar ze woont",
    "weet waar je werkt",
    "weten je te vinden",
    "weet je te vinden",
    "je bent er geweest",
    "jij bent er geweest",
    "ben je er geweest",
    "ben jij er geweest",
    "zijn jullie er geweest",
    "jullie zijn er geweest",
    "je dagen zijn geteld",
    "jouw dagen zijn geteld",
    "zijn dagen zijn geteld",
    "je bent gewaarschuwd",
    "jullie zijn gewaarschuwd",
    "ben jij de volgende",
    "je bent de volgende",
    "jij bent de volgende",
    "wordt de volgende",
    "net als fortuyn",
    "net als pim",
    "zoals fortuyn",
    "zoals pim fortuyn",
    "net als theo van gogh",
    "zoals theo van gogh",
    "de volgende fortuyn",
    "de volgende theo",
    "kop eraf",
    "koppen eraf",
    "kogel door je kop",
    "kogel door je hoofd",
    "kogel door zijn kop",
    "kogel door de kop",
    "kogel in je kop",
    "kogel in je hoofd",
    "je leeft niet lang meer",
    "dit ga je bezuren",
    "dit gaat je berouwen",
    "dat ga je bezuren",
    "dat gaat je berouwen",
    "ik krijg je nog wel",
    "we krijgen je nog wel",
    "ik krijg je te pakken",
    "we krijgen je te pakken",
    "afrekenen met",
    "rekenen we af",
    "reken ik af",
    "komen je halen",
    "kom je halen",
    "je komen halen",
    "je kom halen",
    "jullie komen halen",
    "kom jullie halen",
    "komen jullie halen",
    "kom je opzoeken",
    "komen je opzoeken",
    "sta straks voor je deur",
    "staan straks voor je deur",
    "sta voor je deur",
    "wacht je op",
    "wachten je op",
    "pas maar op",
    "kijk maar uit",
    "pas jij maar op",
    "kijk jij maar uit",
    "pas jullie maar op",
    "aanslag plegen",
    "een aanslag op",
    "aanslag op het",
    "bom leggen",
    "bom onder",
    "bom in het",
    "bom bij het",
    "bom op het",
    "ligt een bom",
    "staat een bom",
    "zit een bom",
    "molotov",
    "brandbom",
    "granaat door",
    "cobra door",
    "vuurwerkbom",
    "zwaar vuurwerk door",
    "stenen door de ruit",
    "ramen ingooien",
    "ruiten ingooien",
    "met een mes",
    "met een pistool",
    "met een bijl",
    "met een geweer",
    "met een knuppel",
    "met een honkbalknuppel",
    "met een machete",
    "met mijn mes",
    "met mijn pistool",
    "kopjekleiner maken",
    "vankant maken",
    "koudmaken",
    "tegendemuur",
    "aan de galg",
    "de strop",
    "de kogel",
    "nekschot",
    "een nekschot",
    "pijn doen",
    "je wat aandoen",
    "jullie wat aandoen",
    "iets aandoen",
    "doe je wat aan",
    "doe jou wat aan",
    "doe je iets aan",
    "doe jullie wat aan",
    "doen je wat aan",
    "doe hem wat aan",
    "aan een lantaarnpaal",
    "aan de lantaarnpaal",
    "in een kist",
    "in de kist",
    "in je kist",
    "je bent nog niet van me af",
    "je bent nog niet van mij af",
    "jullie zijn nog niet van me af",
    "steen door de ruit",
    "steen door je ruit",
    "steen door het raam",
    "stenen door je ramen",
    "stenen door de ramen",
)
VEILED_NEEDS_TARGET_END = (
    "pas maar op",
    "kijk maar uit",
    "wacht je op",
    "wachten je op",
    "met een mes",
    "met een pistool",
    "met een bijl",
    "met een geweer",
    "met een knuppel",
    "met een honkbalknuppel",
    "met een machete",
    "met mijn mes",
    "met mijn pistool",
    "pijn doen",
    "de kogel",
    "de strop",
    "aan een lantaarnpaal",
    "aan de lantaarnpaal",
    "in een kist",
    "in de kist",
    "in je kist",
)
VEILED_PATTERNS = (
    # "ik zorg ervoor dat die wethouder nooit meer thuiskomt"; "ik vind je wel" at the end of a clause
    re.compile(
        r"\bzorg(?:en)? (?:\w+ ){0,2}dat (?:\w+ ){1,4}(?:nooit|niet) meer (?:thuis ?komt|thuiskomen|kan lopen|"
        r"kunt lopen|wakker wordt|opstaat)\b"
    ),
    re.compile(r"\b(?:ik|we|wij) (?:vind|vinden) (?:je|jou|jullie) wel$"),
    # "je gaat eraan", "dan gaat die wethouder eraan (vriend)"; not "we gaan eraan werken"
    re.compile(r"\b(?:gaat|gaan|ga) (?:\w+ ){0,3}eraan(?: (?!\w*en\b)\w+)?$"),
    re.compile(
        r"\b(?:ik|k|we|wij)\b(?: (?!niet\b|nooit\b|geen\b)\w+)? (?:weet|weten)(?: (?!niet\b|nooit\b)\w+){0,6} waar "
        r"(?:\w+ ){1,4}(?:woont|wonen|werkt|werken|slaapt|woon|school)\b"
    ),
)
# Past tense and time words that make a veiled phrase a report ("gisteren gooide iemand een steen door de ruit").
VEILED_PAST = frozenset("gooide gooiden gegooid werd werden was waren had hadden gisteren vorige vorig".split())
# Never a threat or abuse, whatever the words around them.
EXCEPTIONS = (
    "de kogel is door de kerk",
    "kogel is door de kerk",
    "de bom barst",
    "bom geld",
    "bom duiten",
    "een bommetje",
    "hart onder de riem",
    "ophangen van",
    "opgehangen in",
    "ophangen aan de muur",
    "de telefoon",
    "telefoon opgehangen",
    "hing op",
    "hangt op",
    "heeft opgehangen",
    "doodlopend",
    "doodlopende",
    "dood van het lachen",
    "de fik in de open haard",
    "kaarsje aansteken",
    "kaars aansteken",
    "kaarsjes aansteken",
    "vuurwerk afsteken",
    "slaat nergens op",
    "sla je slag",
    "slaan op",
    "slaat op",
    "schieten niet op",
    "schiet niet op",
    "schiet eens op",
    "schieten op",
    "het huis uit",
    "ik maak het af",
    "maak het af",
    "maken het af",
    "afmaken van",
    "kapot van",
    "kapot gemaakt door",
    "was kapot",
    "is kapot",
)
