"""Fictional but realistic Dutch resident messages and our replies for the demo municipality Lindeburg."""

STREETS = [
    "Kerkstraat",
    "Molenweg",
    "Stationsplein",
    "Beatrixlaan",
    "Dorpsstraat",
    "Julianastraat",
    "Vondellaan",
    "Lindeplein",
    "Havenkade",
    "Schoolstraat",
    "Esdoornlaan",
    "Veldweg",
    "Marktstraat",
    "Rozengracht",
]
NEIGHBOURHOODS = ["Noord", "Oud-Lindeburg", "de Akkers", "Zuidwijk", "Haven", "Lindehoeve"]
FIRST_NAMES = [
    "Anouk",
    "Bram",
    "Chantal",
    "Daan",
    "Esra",
    "Fatima",
    "Gerrit",
    "Hanneke",
    "Ibrahim",
    "Jesse",
    "Kim",
    "Lotte",
    "Mohamed",
    "Noor",
    "Olaf",
    "Petra",
    "Quinten",
    "Rik",
    "Sevda",
    "Tom",
    "Ursula",
    "Vera",
    "Willem",
    "Yusuf",
    "Zoë",
    "Ans",
    "Bas",
    "Cor",
    "Dewi",
    "Emre",
    "Femke",
    "Gijs",
    "Hatice",
    "Inge",
    "Joris",
    "Karin",
    "Luuk",
    "Marloes",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Yılmaz",
    "El Amrani",
    "Kaya",
    "Ramdin",
    "Nguyen",
    "Kowalski",
    "van den Berg",
    "Şahin",
    "Willems",
]
PRESS = [("LindeburgDagblad", "Lindeburgs Dagblad", 48200, True), ("RTVLindeburg", "RTV Lindeburg", 21900, True)]
POLITICAL = [("RaadslidVisser", "Marieke Visser (raadslid)", 3100, False)]

# topic → (weight, inbound texts, our reply texts); {street} and {wijk} are filled in.
CONVERSATIONS = {
    "afval": (
        14,
        [
            "container in de {street} is alweer niet geleegd, stinkt een uur in de wind 🤢",
            "Goedemorgen, de groene bak is vergeten vandaag ({street}). Komen jullie nog?",
            "waarom word het oud papier in {wijk} nooit op tijd opgehaald?? al 2 weken",
            "Er staat een berg grofvuil naast de ondergrondse container bij de {street}. Kan iemand dat weghalen?",
            "kan ik mn kerstboom ergens kwijt of moet die gewoon bij het restafval",
            "Zakken met afval opengescheurd door meeuwen op de {street}, ziet er niet uit hier",
        ],
        [
            "Vervelend dat de container niet geleegd is. We hebben het doorgegeven aan de afvaldienst. Wilt u ons laten weten als hij morgen nog vol staat?",
            "Dank voor uw melding. De inzamelaar komt de vergeten bak alsnog legen. Zet hem gerust buiten.",
            "Bedankt voor het doorgeven. Onze buitendienst is ingelicht over het grofvuil bij de {street}.",
        ],
    ),
    "openbare_ruimte": (
        12,
        [
            "lantaarnpaal op de hoek {street} doet het al een week niet, het is s avonds echt donker hier",
            "Losse stoeptegels op de {street}, mijn moeder is er bijna over gevallen. Graag snel iets aan doen!",
            "Er ligt een omgewaaide boom over het fietspad bij {wijk} 🌳 niemand kan erlangs",
            "gat in de weg bij de {street}, mijn fietsband is lek. wie betaalt dat?",
            "Het speeltuintje in {wijk} ligt vol glas. Kinderen spelen daar!",
            "wanneer wordt er weer gemaaid in het park? het gras staat kniehoog",
        ],
        [
            "Dank u wel voor uw melding over de {street}. We hebben er een melding openbare ruimte van gemaakt; de buitendienst bekijkt het.",
            "Wat vervelend! Wilt u ons een DM sturen met de precieze plek? Dan zetten we het direct door naar de buitendienst.",
        ],
    ),
    "parkeren": (
        8,
        [
            "Waarom krijg ik een parkeerboete terwijl ik een vergunning heb?? 😡",
            "hoe vraag ik een bezoekersvergunning aan voor {wijk}",
            "Al weken staat er een aanhanger op de {street} zonder kenteken. Mag dat zomaar?",
            "parkeerautomaat op het Stationsplein pakt geen pinpas meer",
        ],
        [
            "Een bezoekersvergunning vraagt u aan via de website van de gemeente, onder Parkeren. Lukt het niet? Stuur ons een DM.",
            "Vervelend. Als u denkt dat de boete onterecht is, kunt u bezwaar maken. In een DM leggen we uit hoe.",
        ],
    ),
    "burgerzaken": (
        9,
        [
            "Hoe snel kan ik een afspraak maken voor een nieuw paspoort? We gaan over 3 weken op vakantie",
            "ik kan nergens online een afspraak voor mijn rijbewijs maken, de site geeft een foutmelding",
            "Moet ik mijn verhuizing zelf doorgeven als ik binnen Lindeburg verhuis?",
            "is het gemeentehuis open op zaterdag?",
        ],
        [
            "Een afspraak voor een paspoort maakt u via de website van de gemeente. Lukt het niet op tijd? Bel dan 14 0123, dan kijken we met u mee.",
            "Ja, ook een verhuizing binnen Lindeburg geeft u zelf door, online met DigiD. Het kan tot 4 weken na de verhuisdatum.",
        ],
    ),
    "belastingen": (
        6,
        [
            "mijn WOZ waarde is weer 40.000 omhoog, hoe kan dat nou",
            "Ik heb de aanslag gemeentelijke belastingen twee keer ontvangen. Moet ik twee keer betalen?",
            "kan ik de afvalstoffenheffing in termijnen betalen?",
        ],
        [
            "Goede vraag. De aanslag betaalt u in 10 termijnen als u een machtiging afgeeft. Kijk op onze website bij Belastingen.",
            "Dank voor uw bericht. Stuur ons een DM met uw aanslagnummer (niet openbaar), dan zoeken we het voor u uit.",
        ],
    ),
    "zorg": (
        5,
        [
            "Mijn vader wacht al 8 weken op een beslissing over zijn scootmobiel (wmo). Niemand belt terug.",
            "Bij wie kan ik terecht voor hulp bij het huishouden voor mijn moeder?",
            "waar kan ik terecht met schulden, durf het bijna niet te vragen",
        ],
        [
            "Wat vervelend dat u zo lang wacht. Wilt u ons een DM sturen met uw telefoonnummer? Dan vragen we een consulent Wmo u terug te bellen.",
            "Goed dat u het vraagt. Het sociaal wijkteam helpt u verder, ook bij geldzorgen. Stuur ons een DM, dan leggen we contact.",
        ],
    ),
    "lof": (
        6,
        [
            "Top dat de straat zo snel weer schoon was na de storm 👍 bedankt mannen van de buitendienst",
            "wat een mooie nieuwe speeltuin in {wijk}! kids zijn er blij mee ❤️",
            "Complimenten voor de snelle hulp aan de balie vanochtend 🙏",
        ],
        [
            "Wat leuk om te horen! We geven het compliment door aan de collega's.",
            "Dank u wel! Veel plezier in de speeltuin.",
        ],
    ),
    "misverstand": (
        4,
        [
            "Dus de gemeente gaat de bibliotheek sluiten?? schande",
            "Ik lees dat de hondenbelasting verdubbelt, klopt dat?",
            "gemeente haalt vanaf volgend jaar geen plastic meer op heb ik gehoord",
        ],
        [
            "Dat klopt niet: de bibliotheek blijft open. Het raadsbesluit staat op onze website bij Nieuws.",
            "Nee, de hondenbelasting blijft dit jaar gelijk. De tarieven staan op onze website bij Belastingen.",
        ],
    ),
    "politiek": (
        3,
        [
            "Wat vindt de gemeente eigenlijk van die windmolens bij {wijk}? Wij zijn er mooi klaar mee",
            "Komt er nou wel of geen azc in Lindeburg? De raad zegt niks",
        ],
        [],
    ),
    "klacht": (
        4,
        [
            "al 3x gebeld over overlast van de buren, er gebeurt helemaal niks. waarom betaal ik eigenlijk belasting",
            "Onbeschoft behandeld aan de telefoon vandaag. Zo ga je niet met mensen om.",
        ],
        [
            "Dat is niet hoe het hoort en we vinden het vervelend dat u dit zo ervaart. Wilt u ons een DM sturen? Dan zoeken we uit wat er misging.",
        ],
    ),
    "ruis": (
        5,
        [
            "haha typisch lindeburg weer 🤡🤡",
            "Gemeente Lindeburg = één grote grap",
            "WIN EEN IPHONE!!! klik op de link in mijn bio 💰💰",
            "😂😂😂",
        ],
        [],
    ),
}

# A wave: many similar reactions to one post within two hours, which the protocol bundles.
WAVE_TEXTS = [
    "Waarom wordt de markt verplaatst naar het parkeerterrein? Slecht plan",
    "markt weg uit het centrum is echt een slecht idee",
    "Slecht plan om de markt te verplaatsen, het centrum loopt leeg",
    "waarom de markt verplaatsen?? niemand wil dat",
    "De markt hoort in het centrum, niet op een parkeerterrein 👎",
    "markt verplaatsen naar parkeerterrein, wie verzint zoiets",
    "Echt jammer dat de markt uit het centrum verplaatst wordt",
]
