"""Word lists the PHI rules consult: cues that announce PHI and clinical words that only look like PHI.

Kept apart from the rules so that precision fixes (a new eponym, a drug spaCy calls a person) are a
one-word change. All entries are lowercase.
"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Hyphen-like characters clinicians' editors produce ("72‑yo", "4–6/52").
DASH = "-\u2010\u2011\u2012\u2013\u2014"

TITLES = _words("dr doctor mr mrs ms miss mister prof professor nurse sister rev reverend drs")
# Titles that are also everyday nouns/verbs: followed by a lowercase word they need a known name.
WEAK_TITLES = _words("doctor nurse sister miss professor prof drs mister rev reverend")

CREDENTIALS = _words(
    "md m.d. do d.o. rn np phd dds dmd fnp fnp-c aprn crna mbbs frcs frcp mrcgp pharmd dpm lcsw cnm "
    "pa-c ms mph facp facs"
)

GREETINGS = _words(
    "hi hello hey hiya howdy bye goodbye morning afternoon evening thanks thank welcome dear congratulations"
)

RELATIVES = _words(
    "wife husband son daughter mother mom mum father dad sister brother partner spouse fiance fiancee "
    "girlfriend boyfriend friend niece nephew aunt uncle grandson granddaughter grandmother grandfather "
    "grandma grandpa caregiver carer neighbor neighbour guardian cousin stepson stepdaughter"
)

# A name followed by one of these is an eponym ("Parkinson disease", "Bell's palsy", "Kelly clamp").
EPONYM_NOUNS = _words(
    "disease diseases syndrome palsy lymphoma sarcoma tumor tumour sign signs test tests maneuver manoeuvre "
    "score scale criteria classification grade grading stage staging procedure operation repair fracture "
    "reflex phenomenon triad ulcer cyst node nodes esophagus oesophagus cell cells disorder contracture "
    "neuroma anomaly angina thyroiditis encephalopathy ataxia chorea dementia canal fascia space line lines "
    "incision catheter tube position method technique law rule equation formula index stain body bodies "
    "membrane duct gland glands ligament muscle nerve artery vein plexus valve shunt pouch forceps retractor "
    "clamp clamps scissors elevator needle drain dressing splint brace hernia aneurysm deformity nodule nodules "
    "spots point area zone approach flap graft anastomosis fundoplication bypass lesion effect murmur curve "
    "ratio layer crypts triangle sinus anemia anaemia fever virus bacillus paralysis neuralgia neuropathy "
    "dystrophy reaction respiration breathing pneumonia diverticulum collar sling traction fixator nail "
    "plate screw frame mask pessary sponge suture stitch knot bandage bag cannula stocking boot pump regimen "
    "protocol solution agar medium table lens device view projection hold silk taper balloon neg negative "
    "positive pos sound college level"
)

# Surnames that clinical text uses on their own for a disease, sign, instrument, drug or scale.
EPONYMS = _words(
    "alzheimer alzheimers parkinson parkinsons crohn crohns hodgkin hodgkins hashimoto hashimotos graves "
    "addison addisons cushing cushings tourette tourettes raynaud raynauds sjogren sjogrens sjögren huntington "
    "huntingtons paget pagets barrett barretts kawasaki marfan marfans meniere menieres ménière asperger "
    "aspergers peyronie peyronies dupuytren dupuytrens quervain behcet behçet wegener kaposi hirschsprung "
    "osgood schlatter perthes guillain barre barré lyme chagas burkitt ewing wilms hurthle bowen gaucher "
    "niemann krabbe duchenne charcot creutzfeldt jakob korsakoff wernicke broca horner erb klumpke colles "
    "galeazzi monteggia lisfranc chopart maisonneuve bankart segond tillaux bartholin meckel zenker mallory "
    "boerhaave schatzki virchow krukenberg trousseau chvostek kussmaul cheyne kernig brudzinski babinski "
    "romberg homan homans tinel phalen finkelstein lachman mcmurray apley spurling lhermitte trendelenburg "
    "mcburney rovsing kocher pfannenstiel foley bovie babcock allis metzenbaum debakey kitner yankauer "
    "penrose jackson-pratt hemovac doppler swan-ganz seldinger valsalva heimlich epley hallpike rinne snellen "
    "amsler schirmer tzanck giemsa gleason breslow apgar glasgow ranson centor mcisaac karnofsky mallampati "
    "scarpa toldt retzius treitz calot hesselbach denonvilliers gerota morison hartmann ochsner lahey esmarch "
    "veress hasson malecot falope bookwalter kerlix xeroform adaptic tegaderm steri-strip steri-strips "
    "dermabond betadine prolene vicryl monocryl ethilon surgicel gelfoam marcaine sensorcaine omnipaque "
    "whipple nissen roux billroth hartmann bier buck bucks langerhans leydig sertoli purkinje schwann "
    "lewy auer reed-sternberg heberden bouchard koplik janeway osler roth quincke beau muehrcke lindsay "
    "terry virchows wilms kaposis chiari arnold-chiari dandy-walker tetralogy fallot eisenmenger ebstein "
    "kartagener klinefelter noonan turner angelman prader-willi rett tay-sachs fabry pompe hurler "
    "sanfilippo morquio marfan ehlers-danlos stevens-johnson kawasaki henoch-schonlein takayasu buerger "
    "bell bells google mayfield moya moyamoya webster fort fogarty heaney masterson"
)

# Capitalised words that follow titles, greetings or field labels and are not names.
NOT_NAMES = _words(
    "patient patients pt doctor doctors dr nurse nurses practitioner practitioners assistant physician "
    "surgeon team staff office clinic hospital manager educator navigator specialist visit note notes "
    "he she they we i you it this that there here who his her their our your my the a an and or of "
    "yes no ok okay well so um uh hmm yeah alright right good great fine thanks thank hello hi hey "
    "today tomorrow yesterday now then please sir madam maam ma'am mom dad everyone everybody all "
    "unknown none other same new old male female man woman boy girl baby infant child son daughter "
    "husband wife mother father sister brother family friend partner husband's wife's "
    "history exam examination assessment plan impression diagnosis diagnoses procedure medications "
    "allergies labs results findings summary subjective objective review signed dictated transcribed "
    "attending resident fellow consultant provider referring primary care pcp cc name date dob mrn "
    "age sex gender room bed admit admitted acct account insurance dos phone tel fax email "
    "morning afternoon evening night monday tuesday wednesday thursday friday saturday sunday "
    "dragon google siri alexa x xx xxx y z abc abcd xyz sure fine thanks nope yep god goodness lord "
    "ah oh uh um hmm mm er eh aha wow oops ouch yay yup champ buddy honey sweetie sweetheart darling "
    "mate pal kiddo kid nan nana nanna gran granny grandma grandpa physio caregiver carer nil self specimen "
    "sample tissue "
    "cardiology neurology oncology urology radiology pathology dermatology gastroenterology nephrology "
    "pulmonology rheumatology endocrinology hematology haematology orthopedics orthopaedics psychiatry "
    "psychology physiotherapy pharmacy surgery anesthesia anaesthesia pediatrics paediatrics obstetrics "
    "gynecology ophthalmology optometry audiology podiatry ent er ed icu ccu nicu pacu therapy rehab "
    "social work services department unit emergency triage reception lab laboratory imaging home"
)

# Given names that are also ordinary (often clinical) words: on their own they need strong evidence.
COMMON_WORD_NAMES = _words(
    "will may long red doctor male lot general little less ever oral else max early cord young major case "
    "floor stone brain sister son unknown baby job colon minor tea reason true pleasant link don ray add "
    "harm wash gauge lady metro tab pink roll walker till summer friend chase chance cap brown green dev "
    "branch trace miles hope echo doc iris infant carry bill worth ties spring mark arch yoga ward rock love "
    "frank dusty candida burns aura tiny kit burr bell alba rod media hymen hence foster almond winter vera "
    "ridge park kick guy gurney flora council con cash candy toy skip rice orange maximus ivy harsh fuller "
    "bud boss ani wood senna rush press pat lucky leafy hill eve corona among ami day more good room low "
    "clear made small foot weeks post mane hand short way white kidney wall ring fall deep sharp block date "
    "silk house gross real power read field black bright glasses key best glass beer cant peri fair lips "
    "fresh bones supple hay hook company warmer freely cook ball lata drum cross cousin parent pall marks "
    "farmer bridges street story bath priest moles cousins cases canals ware smart hood hills font fields "
    "cruise corr bridge windy vena van ute sole shepherd rich price nick math judge golden flint fed evert "
    "dimple chin carmine carina buddy autumn alta al ah wheeler versa veer tri sunshine storm sandy sal "
    "saint resi pia pearly page ora moody miracle lone lawyer jack haven hall grace emery elder edu ed "
    "earnest dock diamond chip cherry champ brady bee alpha wise stack pace mate mallet mall guard chambers "
    "beard watts tank steer stark sharpe salmon polo plana law killer keeling junk horn grey de contractor "
    "church carpenter brick brands blot joy faith rose art sunny dawn june april august gray king sterling "
    "penny lily jean ben amber ruby crystal angel star lane christian bishop bull "
    "north west south east english french german irish wells said seven canal min lung strong fit drop sun nail "
    "arvo comfort fan sad palm walls gun para sip serol grab nickel maj fancy bore endo"
)

# Non-PHI places (Safe Harbor keeps states and countries) and clinical words spaCy labels as places.
NOT_PLACES = _words(
    "us usa u.s. u.s.a. america united states uk u.k. britain great britain england scotland wales "
    "northern ireland europe asia africa australia antarctica oceania eu caribbean middle east "
    "latin north south east west central midwest new england pacific atlantic "
    "medicare medicaid tricare aetna cigna humana kaiser anthem bupa city state county town"
)

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}

# Holidays name a calendar day; (month, day) is where a date shift starts from.
HOLIDAYS = {
    "christmas eve": (12, 24), "christmas day": (12, 25), "christmas": (12, 25), "boxing day": (12, 26),
    "new year's eve": (12, 31), "new years eve": (12, 31), "new year's day": (1, 1), "new years day": (1, 1),
    "thanksgiving": (11, 24), "easter": (4, 9), "labor day": (9, 4), "labour day": (9, 4),
    "memorial day": (5, 29), "independence day": (7, 4), "fourth of july": (7, 4), "4th of july": (7, 4),
    "halloween": (10, 31), "valentine's day": (2, 14), "valentines day": (2, 14), "veterans day": (11, 11),
    "mother's day": (5, 14), "father's day": (6, 18), "columbus day": (10, 9), "presidents day": (2, 20),
    "presidents' day": (2, 20), "martin luther king day": (1, 16), "st patrick's day": (3, 17),
    "st. patrick's day": (3, 17), "guy fawkes night": (11, 5), "remembrance day": (11, 11),
}

STREET_SUFFIXES = _words(
    "street st avenue ave road rd boulevard blvd lane ln drive dr court ct place pl way terrace ter circle "
    "cir parkway pkwy highway hwy square sq close crescent cres trail trl alley plaza pike "
    "gardens grove mews parade esplanade expressway freeway turnpike broadway"
)

# Endings of drug names and of clinical terms, which spaCy often takes for people or places.
DRUG_ENDINGS = (
    "cillin", "mycin", "floxacin", "cycline", "azole", "prazole", "statin", "olol", "pril", "sartan", "dipine",
    "tidine", "parin", "xaban", "gatran", "afil", "triptan", "setron", "zepam", "zolam", "oxetine", "apine",
    "idone", "profen", "olone", "asone", "mab", "tinib", "caine", "formin", "gliptin", "gliflozin", "glutide",
    "thiazide", "semide", "lukast", "phylline", "terol", "sonide", "quine", "vudine", "navir", "ciclovir",
)
CLINICAL_ENDINGS = (
    "itis", "osis", "emia", "aemia", "pathy", "ectomy", "otomy", "ostomy", "plasty", "scopy", "graphy", "algia",
    "oma", "uria", "plegia", "paresis", "trophy", "megaly", "rrhea", "rrhoea", "ensia", "entia", "phagia",
)

# Words that end a facility name; a facility needs one more word that is not merely descriptive.
FACILITY_HEADS = (
    "hospital", "medical center", "medical centre", "health center", "health centre", "clinic", "infirmary",
    "hospice", "nursing home", "care home", "rehabilitation center", "rehab center", "surgery center",
    "medical group", "health system", "healthcare", "medical practice", "family practice", "cancer center",
    "care center", "urgent care", "pharmacy", "medical associates", "health clinic", "senior living",
    "assisted living", "center", "centre", "institute", "manor", "care facility", "nursing facility",
)
# Health systems whose facilities are named without "Hospital" or "Clinic" ("Kaiser Permanente Fairview").
HEALTH_SYSTEMS = (
    "kaiser permanente", "johns hopkins", "mass general brigham", "mass general", "cedars-sinai", "mount sinai",
    "nyu langone", "intermountain", "geisinger", "sutter health", "providence", "ascension", "banner health",
    "atrium health", "novant health", "baylor scott & white", "cleveland clinic", "mayo clinic", "uihc",
    "ucsf health", "ucla health", "penn medicine", "yale new haven", "northwell", "trinity health",
    "advocate aurora", "adventhealth", "hca", "tenet", "commonspirit", "ochsner health", "spectrum health",
)

GENERIC_FACILITY_WORDS = _words(
    "the a an our your this that their his her general memorial community regional university medical "
    "county city emergency department cardiology oncology dermatology neurology orthopedic orthopaedic "
    "pediatric paediatric children's womens women's mens men's veterans specialty outpatient inpatient "
    "surgical surgery primary family urgent care eye dental mental behavioral behavioural health sleep pain "
    "fertility vein heart cancer kidney diabetes wound rehabilitation rehab day walk-in local nearest "
    "private public teaching state national district main of and & hospital clinic center centre practice "
    "gp doctor's doctors physio physiotherapy endoscopy imaging radiology x-ray lab laboratory fracture "
    "antenatal maternity sexual travel vaccination flu asthma respiratory memory stroke breast skin "
    "chest ent ophthalmology psychiatric psychiatry addiction methadone new old other another same previous "
    "dialysis trauma wellness infusion transplant spine sports birth birthing ambulatory senior living assisted "
    "retirement rescue treatment research health-care healthcare nursing home homes hospice institute kids "
    "children childrens psych pulmonary maintenance thoracic cardiac renal neural surgical clinical regional central "
    "municipal gastric pelvic spinal vascular physical critical intensive residential vocational occupational "
    "specialist specialty integrated comprehensive town cross bulk bill floor unit ward bay wing room group "
    "training screening testing counseling counselling hearing healing nursing imaging"
)
