"""A planted-PHI evaluation set for the clinical-note de-identifier, built from real note texts.

Real notes (MTSamples, ACI-Bench, SynGP500, MTS-Dialog) are read by path and never copied into the repo;
real clinical prose is what makes over-redaction and missed context measurable, which synthetic notes hide.
Into each note we plant PHI of every category at sentence and line boundaries, in a header and a
signature, with varied surface forms, plus hard cases: names that are also words or diseases (Grace,
Parkinson) next to the same words used medically (Parkinson disease), and numbers that look like
identifiers but are not (doses, vitals, scores, years, durations, ages up to 89).

Gold spans cover the identifier only: no title ("Dr."), no field label ("MRN:"), only the number of an
age ("92" in "92-year-old"); an address gives the street, city and ZIP as separate spans (the state is
not PHI). PHI already in the real text is made gold where it can be found reliably: ACI-Bench metadata
names, title + surname ("Dr. Kumar"), explicit dates; de-identification placeholders ("Dr. XYZ",
"ABC Hospital") are replaced by planted values. Anything else (a city named in passing) stays
unannotated, so measured precision is a lower bound.

`clinical_terms` are non-PHI spans whose redaction is over-redaction: planted drugs, diseases, doses,
lab values, vitals, scores, years, durations, young ages and the medical/common uses of the hard words,
plus a lexicon scan of the real text for common drugs, diseases and dose patterns.
"""
import csv
import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from string import ascii_uppercase

from medcurate.phi.categories import PHI_TYPES

# Labels of the pieces of a note under construction, besides the PHI types: None for real text not yet
# labeled, CLINICAL for non-PHI terms (planted or found in the real text), PLANTED for planted filler.
CLINICAL, PLANTED = "CLINICAL", "PLANTED"


@dataclass(frozen=True)
class GoldSpan:
    type: str
    start: int
    end: int


@dataclass(frozen=True)
class EvalNote:
    id: str
    text: str
    gold: list[GoldSpan]
    clinical_terms: list[tuple[int, int]]


# ---------------------------------------------------------------- value tables

FIRST_NAMES = (
    "Oliver", "Emily", "James", "Margaret", "Dorothy", "Harold", "Sofia", "Alejandro", "Lucía", "José",
    "Chidi", "Ngozi", "Kwame", "Amara", "Wei", "Mei", "Hiroshi", "Yuki", "Min-jun", "Ji-woo", "Priya",
    "Arjun", "Sanjay", "Lakshmi", "Fatima", "Omar", "Layla", "Yusuf", "Dmitri", "Olga", "Katarzyna",
    "Piotr", "Siobhan", "Liam", "Ingrid", "Søren", "Thanh", "Linh", "Aroha", "Mateus", "Zoë", "Tariq",
    "Mary-Kate", "Esperanza", "Bongani", "Anahera", "Giulia", "Nikos",
)
SURNAMES = (
    "Okafor", "Nguyen", "García", "Smith", "O'Brien", "Kowalski", "Haddad", "Patel", "Tanaka", "Kim",
    "Müller", "Van der Berg", "Mensah", "Ivanova", "Rossi", "Johansson", "Abdullah", "Chen", "MacLeod",
    "Fernández-López", "Dubois", "Nakamura", "Adeyemi", "Singh", "Cohen", "Papadopoulos", "Al-Sayed",
    "Nowak", "Hernández", "Baptiste", "Mahlangu", "Thompson", "Whitehorse", "Ramírez", "Lindqvist",
)
# Hard cases: names that are also common words, months, or the eponym of a disease.
HARD_FIRST_NAMES = ("Grace", "Hope", "May", "Rose", "Frank", "Hunter", "Faith", "June", "Will")
HARD_SURNAMES = {  # surname -> the same word in medical use (never PHI)
    "Parkinson": ("Parkinson disease", "Parkinson's disease", "parkinsonism"),
    "Bell": ("Bell's palsy", "Bell palsy"),
    "Hunter": ("Hunter syndrome",),
    "Graves": ("Graves disease", "Graves' disease", "Graves ophthalmopathy"),
    "Crohn": ("Crohn's disease", "Crohn disease", "Crohn's colitis"),
    "Wilson": ("Wilson disease", "Wilson's disease"),
    "Addison": ("Addison's disease", "Addisonian crisis"),
    "Cushing": ("Cushing syndrome", "Cushing's disease"),
    "Barrett": ("Barrett's esophagus",),
    "Hodgkin": ("Hodgkin lymphoma", "non-Hodgkin lymphoma"),
    "Wood": ("Wood's lamp examination",),
    "May": ("May-Thurner syndrome",),
    "King": ("King's College criteria",),
    "Rose": ("Rose angina questionnaire",),
    "Frank": ("Frank's sign",),
}

STREET_NAMES = ("Harbour", "Elm", "Maple", "King", "Rose", "Cedar Ridge", "Baker", "Martin Luther King Jr.",
                "Old Mill", "Kalakaua", "Peachtree", "Wood", "Bell", "Ocean View", "Third", "Calle Ocho")
STREET_TYPES = ("Street", "St.", "Avenue", "Ave", "Road", "Rd", "Lane", "Boulevard", "Blvd.", "Drive", "Way",
                "Court", "Place")
CITIES = ("Springfield", "Riverside", "Fairview", "Greenville", "Bristol", "Salem", "Madison", "Franklin",
          "Hope", "Normal", "Reading", "Mobile", "Paris", "Lebanon", "Kalamazoo", "Eau Claire", "St. Cloud",
          "Winston-Salem", "Boca Raton", "Ypsilanti")
STATES = ("IL", "OH", "CA", "NY", "TX", "MA", "WA", "Georgia", "Oregon", "MI", "AR", "WI", "KY", "NC", "FL")
FACILITIES = ("{city} General Hospital", "St. Mary's Medical Center", "Riverside Family Clinic",
              "Mercy Hospital", "{city} Dialysis Center", "Northwood Rehabilitation Center",
              "Good Samaritan Hospital", "{city} Community Health Center", "Lakeview Nursing Home",
              "Sunrise Senior Living", "Holy Cross Hospital", "{city} Urgent Care", "Kaiser Permanente {city}")
MAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "comcast.net")
ORG_DOMAINS = ("riversidehealth.org", "mercy-hospital.com", "stmarys.org", "northwoodrehab.net",
               "fairviewclinic.com", "goodsam.org", "health.springfield.gov", "hcmc.us")

# Field labels and shapes of identifiers ('#' a digit, 'A' a capital letter).
ID_KINDS = {
    "mrn": (("MRN:", "MRN #", "Medical record no.", "MR#", "Med Rec #"),
            ("########", "#######", "MR-#######", "00######", "A########")),
    "acct": (("Acct #", "Account No.", "Account:", "Billing acct"), ("A-####-####", "##########", "ACC######")),
    "member": (("Member ID", "Member #", "Subscriber ID", "Medicaid ID"),
               ("AAA#########", "A########", "###########A", "AA-######-##")),
    "policy": (("Policy No.", "Policy #", "Group/Policy", "Plan ID"), ("##-####-###", "POL-####-###", "AA#######")),
    "npi": (("NPI", "NPI #", "Prescriber NPI"), ("##########",)),
    "accession": (("Accession", "Accession #", "Specimen ID", "Path #"), ("A##-#####", "ACC-##-######", "##-AA-#####")),
    "serial": (("Serial No.", "S/N", "Device serial", "Lot/serial"), ("AAA-##A-####", "SN####A##A", "##A#-AA##")),
    "ssn": (("SSN", "Social Security #", "SS#"), ("###-##-####", "### ## ####")),
    "licence": (("License #", "DL", "Driver's license", "State licence"), ("A#######", "AA-#####", "D###-####-####")),
    "dea": (("DEA", "DEA #"), ("AA#######",)),
}

DRUG_DOSES = {
    "metformin": ("500 mg", "850 mg", "1000 mg"), "lisinopril": ("10 mg", "20 mg"), "atorvastatin": ("40 mg", "80 mg"),
    "amlodipine": ("5 mg", "10 mg"), "aspirin": ("81 mg", "100 mg"), "apixaban": ("5 mg", "2.5 mg"),
    "levothyroxine": ("50 mcg", "112 mcg"), "insulin glargine": ("22 units", "14 units"),
    "sertraline": ("50 mg", "100 mg"), "prednisone": ("40 mg", "5 mg"), "furosemide": ("40 mg", "20 mg IV"),
    "amoxicillin": ("500 mg", "875 mg"), "gabapentin": ("300 mg", "600 mg"), "warfarin": ("5 mg", "2.5 mg"),
    "omeprazole": ("20 mg", "40 mg"), "ondansetron": ("4 mg",), "ceftriaxone": ("1 g IV", "2 g"),
    "methotrexate": ("15 mg weekly",), "paracetamol": ("1 g", "500 mg"), "tramadol": ("50 mg",),
    "Lasix": ("40 mg",), "Tylenol": ("650 mg",), "Eliquis": ("5 mg",), "Humalog": ("6 units",),
}
DISEASES = (
    "hypertension", "type 2 diabetes mellitus", "asthma", "COPD", "community-acquired pneumonia",
    "congestive heart failure", "atrial fibrillation", "hyperlipidemia", "major depressive disorder",
    "osteoarthritis", "rheumatoid arthritis", "hypothyroidism", "chronic kidney disease stage 3", "cellulitis",
    "migraine", "ischemic stroke", "coronary artery disease", "GERD", "iron deficiency anemia", "gout",
    "osteoporosis", "obstructive sleep apnea", "urinary tract infection", "multiple sclerosis", "psoriasis",
    "breast cancer", "Alzheimer dementia", "sickle cell disease", "hepatitis C", "HIV",
)
LABS = (("HbA1c", "{:.1f}%", 5.4, 11.9), ("creatinine", "{:.2f} mg/dL", 0.6, 3.1),
        ("potassium", "{:.1f} mmol/L", 3.1, 5.9),
        ("hemoglobin", "{:.1f} g/dL", 7.5, 16.2), ("LDL", "{:.0f} mg/dL", 60, 190), ("TSH", "{:.2f} mIU/L", 0.1, 9.5),
        ("INR", "{:.1f}", 0.9, 3.8), ("eGFR", "{:.0f}", 18, 110), ("platelets", "{:.0f}", 90, 450),
        ("WBC", "{:.1f}", 2.8, 18.5), ("troponin", "{:.3f} ng/mL", 0.004, 0.9), ("sodium", "{:.0f}", 124, 147))
VITALS = (("BP", "{}/{}", (96, 182), (54, 104)), ("HR", "{}", (48, 132)), ("RR", "{}", (12, 28)),
          ("T", "{}.{} C", (36, 39), (0, 9)), ("SpO2", "{}%", (86, 100)), ("weight", "{} kg", (45, 140)))
SCORES = (("pain {}/10", 0, 10), ("GCS {}", 3, 15), ("PHQ-9 score {}", 0, 27), ("MMSE {}/30", 10, 30),
          ("NIHSS {}", 0, 24), ("CHA2DS2-VASc {}", 0, 9), ("Apgar {}", 1, 10), ("Wells score {}", 0, 9))
DURATION_UNITS = ("days", "weeks", "months", "years")
RELATIONS = ("daughter", "son", "wife", "husband", "sister", "niece", "neighbour", "case manager")
NINETIES = ("ninety", "ninety-one", "ninety-two", "ninety-three", "ninety-four", "ninety-five", "ninety-six",
            "ninety-seven", "ninety-eight", "ninety-nine")


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


DATE_FORMATS = (
    lambda d: f"{d:%m/%d/%Y}",              # 03/14/2024
    lambda d: f"{d.month}/{d.day}/{d:%y}",  # 3/14/24
    lambda d: f"{d:%d-%b-%Y}",              # 14-Mar-2024
    lambda d: d.isoformat(),                # 2024-03-14
    lambda d: f"{d:%B} {d.day}, {d.year}",  # March 14, 2024
    lambda d: f"{d:%b} {ordinal(d.day)}",   # Mar 14th
    lambda d: f"{ordinal(d.day)} of {d:%B}",  # 14th of March
    lambda d: f"{d:%m/%d}",                 # 03/14
    lambda d: f"{d.day} {d:%B} {d.year}",   # 14 March 2024
    lambda d: f"{d:%d.%m.%Y}",              # 14.03.2024
    lambda d: f"{d:%b}. {d.day}, {d.year}",  # Mar. 14, 2024
    lambda d: f"{d:%B %Y}",                 # March 2024
    lambda d: f"{d:%A}, {d:%B} {d.day}",    # Thursday, March 14
    lambda d: f"{d:%b-%d-%Y}".upper(),      # MAR-14-2024
    lambda d: f"{d.day}/{d.month}/{d.year}",  # 14/3/2024
    lambda d: f"{d:%Y%m%d}",                # 20240314
    lambda d: f"{d:%B} {d.day}",            # March 14
)
PHONE_FORMATS = ("({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "{a} {b} {c}", "+1 {a} {b} {c}", "1-{a}-{b}-{c}",
                 "{a}{b}{c}", "({a}){b}-{c}", "+1 ({a}) {b}-{c}")
EMAIL_FORMATS = ("{first}.{last}@{org}", "{f}{last}{n}@{mail}", "{last}.{f}@{org}", "{first}_{n}@{mail}",
                 "{first}{last}@{mail}", "{f}.{last}@{org}")
URL_FORMATS = ("https://portal.{org}/patient/{n}", "www.{org}/mychart", "http://{org}/records?id={n}",
               "https://mychart.{org}", "{org}/login", "https://telehealth.{org}/join/{token}",
               "https://www.{org}/patients/{n}/results")
IP_FORMATS = ("10.{b}.{c}.{d}", "192.168.{c}.{d}", "172.{a16}.{c}.{d}", "{a}.{b}.{c}.{d}", "fe80::{h}:{h2}:{h3}:{h}",
              "2001:db8::{h2}:{h3}")

# ---------------------------------------------------------------- templates
# {slot} or {slot:arg} is drawn by Planter.slot; [[text]] is a literal non-PHI term (a hard negative).

HEADERS = (
    "Name: {patient}\nMRN: {id:mrn}\nDOB: {dob}\n",
    "PATIENT: {patient}    DOB: {dob}    ACCT #: {id:acct}\nATTENDING: {dr_full}, MD\n",
    "Patient Name: {patient}\nDate of Service: {date}\nMedical Record Number: {id:mrn}\nProvider: Dr. {dr_last}\n",
    "{facility}\n{street}, {city}, {state} {zip}\nTel {phone}  Fax {phone}\n",
    "Re: {patient}, DOB {dob}, Member ID {id:member}\n",
    "Visit date: {date}\nPatient: {patient} (age {age})\nPortal: {url}\n",
    "{patient} | {id} | {id} | seen {date}\n",
    "Pt: {patient}   Age: {age}   Admit: {date}   Room 4B\nInsurance: Medicare, {id:member}\n",
    "Encounter {date} - {facility}\nReferring: Dr {dr_last} (NPI {id:npi})\n",
)
FOOTERS = (
    "Electronically signed by {dr_full}, MD on {date} at 16:42.\n",
    "Dictated by: Dr. {dr_last}\nTranscribed: {date}\ncc: {other}, {facility}\n",
    "{dr_full}\n{facility}\n{street}, {city} {zip}\nPh: {phone} | {email}\n",
    "Questions? Call {phone} or visit {url}.\n",
    "Signed: {dr_last}, {dr_first} (Lic. {id:licence}) {date}\n",
    "Routing: {email}; device gateway {ip}\n",
)
INLINE = {
    "NAME": (
        "Patient seen by Dr. {dr_last} on {date}.",
        "{patient} presents today accompanied by her {relation}, {other}.",
        "Discussed with Dr. {dr_full} from cardiology, who agrees with the plan.",
        "Case reviewed with {dr_full}, MD.",
        "Mr. {pt_last} reports good adherence to {drug_dose}.",
        "Her husband {other} was present for the discussion.",
        "Referred by Dr {dr_last} for evaluation of {disease}.",
        "{pt_first} was counselled about {disease} and agreed to the plan.",
        "Interpreter {other} assisted with the visit.",
        "Ms. {pt_last} is a {age_young}-year-old woman with {disease}.",
        "Per nursing ({other_first}), {vitals}.",
        "Spoke with {other_first} (the patient's {relation}) who confirms {drug_dose} at night.",
        "{pt_last} denies chest pain today.",
        "Seen together with her granddaughter {hard_first}.",
        "{hard_first} {pt_last} returns for review of {disease}.",
        "Mrs. {hard_last} was reviewed in the {disease} clinic.",
        "Will ask {other} in social work to call the family.",
        "Thanks to Drs. {dr_last} and {other_last} for the referral.",
        "pt says her son {other_first} will drive her home.",
    ),
    "DATE": (
        "Last seen in clinic on {date}.",
        "{lab} on {date}.",
        "On {date}: {lab}, {lab}.",
        "{lab} ({date}), previously {lab}.",
        "Admitted {date}, discharged {date}.",
        "Colonoscopy scheduled for {date}.",
        "Symptoms began around {date} and have persisted for {duration}.",
        "Started {drug_dose} on {date}.",
        "Return visit {date} at 10:30.",
        "Surgery was performed in {year}; follow-up imaging on {date} was stable.",
        "MRI brain {date}: no acute infarct.",
        "Flu vaccine given {date}; COVID booster due after {date}.",
        "Date of injury: {date}.",
        "She was last well on the evening of {date}.",
    ),
    "AGE": (
        "{patient} is a {age}-year-old man with {disease}.",
        "This {age} year old female presents with worsening {disease}.",
        "Patient aged {age}, lives alone and uses a walker.",
        "A {age} y/o woman with {disease} and {disease}.",
        "She turned {age} last month and remains independent.",
        "Her mother, now {age}, also had {eponym}.",
        "{age}yo M, retired farmer, with {disease}.",
        "Age: {age}. Lives in assisted living.",
        "Very elderly ({age} yrs) with frailty.",
        "He is {age} years of age and declines further imaging.",
    ),
    "PHONE": (
        "Contact: {phone}, fax {phone}.",
        "Daughter can be reached at {phone}.",
        "Call {phone} with any questions.",
        "Pharmacy phone {phone}.",
        "Paged on-call at {phone} ext. 214.",
        "Home {phone} / mobile {phone}.",
        "Left a voicemail on {phone} regarding {lab}.",
        "Best number is {phone}.",
        "If symptoms worsen, call the nurse line at {phone}.",
    ),
    "EMAIL": (
        "Results emailed to {email}.",
        "Patient prefers contact via {email}.",
        "Please send records to {email} or fax {phone}.",
        "Her {relation} ({email}) asked for a copy of the letter.",
        "Secure message from {email} re: {drug_dose}.",
        "Email: {email}",
        "Contact {email} to reschedule.",
    ),
    "ADDRESS": (
        "Follow up at {street}, {city}, {state} {zip}.",
        "Lives at {street} with her husband.",
        "Transferred from {facility} for management of {disease}.",
        "She moved from {city} last year.",
        "Home address: {street}, {city} {zip}.",
        "Imaging done at {facility} in {city}.",
        "Referred to the wound clinic at {facility}.",
        "Discharged to {facility}, {city}, {state}.",
        "Mail prescriptions to PO Box {po_box}, {city}, {state} {zip}.",
    ),
    "ID": (
        "{id}.",
        "Identifiers on file: {id}; {id}.",
        "Specimen {id:accession} sent to pathology.",
        "Pacemaker serial no. {id:serial} interrogated; {vitals}.",
        "Prescriber NPI {id:npi}.",
        "SSN on file: {id:ssn}.",
        "Insurance: Blue Cross, member {id:member}, policy {id:policy}.",
        "Chart {id:mrn} reviewed.",
        "Controlled substance script, DEA {id:dea}.",
    ),
    "URL": (
        "Patient portal: {url}.",
        "Education material at {url} was reviewed.",
        "Telehealth link {url} sent by SMS.",
        "Enrolled in remote monitoring ({url}).",
        "See {url} for the diet plan.",
        "Book online at {url}.",
        "Images uploaded to {url} for a second opinion.",
    ),
    "IP": (
        "Device log: upload from {ip} at 02:14.",
        "Remote monitoring session from IP {ip}, {vitals}.",
        "[glucometer] sync ok src={ip} readings=14",
        "CGM data received from {ip}.",
        "Home ventilator telemetry host {ip} reported no alarms.",
        "Portal login from new device {ip} was verified.",
        "PACS node {ip} unreachable; images re-sent.",
    ),
}
HARD_CASES = (
    "Dr. {hard_last} reviewed the {hard_term} workup.",
    "Mr. {hard_last} was reviewed for {hard_term}.",
    "{hard_term} (diagnosed {year}) remains stable per Dr. {hard_last}.",
    "{hard_first} {hard_last} has a history of {hard_term}.",
    "Family history: father with {hard_term}.",
    "No personal history of {eponym}.",
    "[[May]] resume {drug_dose} in {duration}.",
    "Patient expresses [[hope]] of returning to work.",
    "BP [[rose]] after exertion ({vital:BP}).",
    "Urinalysis: [[frank hematuria]].",
    "[[Frank]] discussion held about prognosis.",
    "[[Wood's lamp]] examination showed no fluorescence.",
    "[[Grace]] period for the prior authorization ends soon.",
)
NEGATIVES = (
    "Diagnosed with {disease} in {year}; on {drug_dose} since {year}.",
    "Vitals: {vitals}, {vitals}, {vitals}.",
    "{score}, {score}.",
    "Labs: {lab}, {lab}, {lab}.",
    "Symptoms for {duration}, worse over the past {duration}.",
    "She is a {age_young}-year-old with {disease}.",
    "Take {drug_dose} twice daily for {duration}.",
    "Follow up in {duration}.",
    "{drug_dose} was held for {duration}.",
    "{age_young} y/o M with {disease} and {disease}.",
    "Plan: {drug_dose} nightly; repeat {lab:INR} check in {duration}.",
)


# ---------------------------------------------------------------- planting

Piece = tuple[str, str | None]   # text and its label: a PHI type, CLINICAL, PLANTED or None
TEMPLATE_PART = re.compile(r"\{(\w+)(?::([\w ]+))?\}|\[\[(.+?)\]\]")


def ascii_lower(name: str) -> str:
    """A name as it would appear in an email address: accents stripped, letters only, lower case."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


class Planter:
    """Draws the values planted into one note; the same patient, doctor and place recur within it."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.first, self.last = self.first_name(), self.last_name()
        self.doctor = (self.first_name(), self.last_name())
        self.hard_word = rng.choice(sorted(HARD_SURNAMES))
        self.home_city = rng.choice(CITIES)

    def first_name(self) -> str:
        return self.rng.choice(HARD_FIRST_NAMES if self.rng.random() < 0.2 else FIRST_NAMES)

    def last_name(self) -> str:
        return self.rng.choice(sorted(HARD_SURNAMES) if self.rng.random() < 0.2 else SURNAMES)

    def render(self, template: str) -> list[Piece]:
        pieces, pos = [], 0
        for m in TEMPLATE_PART.finditer(template):
            pieces.append((template[pos:m.start()], PLANTED))
            if m[3]:
                pieces.append((m[3], CLINICAL))
            else:
                drawn = getattr(self, m[1])(*([m[2]] if m[2] else []))
                pieces += [drawn] if isinstance(drawn, tuple) else drawn
            pos = m.end()
        pieces.append((template[pos:], PLANTED))
        case = self.rng.choices((None, str.upper, str.lower), (90, 5, 5))[0]
        return [(case(t), label) for t, label in pieces] if case else pieces

    # -- people
    def patient(self) -> Piece:
        f, l = self.first, self.last
        form = self.rng.choices((f"{f} {l}", f"{l}, {f}", f"{f} {self.rng.choice(ascii_uppercase)}. {l}",
                                 f"{f[0]}. {l}"), (5, 2, 1, 1))[0]
        return form, "NAME"

    def pt_first(self) -> Piece:
        return self.first, "NAME"

    def pt_last(self) -> Piece:
        return self.last, "NAME"

    def dr_last(self) -> Piece:
        return self.doctor[1], "NAME"

    def dr_first(self) -> Piece:
        return self.doctor[0], "NAME"

    def dr_full(self) -> Piece:
        return " ".join(self.doctor), "NAME"

    def other(self) -> Piece:
        return f"{self.first_name()} {self.last_name()}", "NAME"

    def other_first(self) -> Piece:
        return self.first_name(), "NAME"

    def other_last(self) -> Piece:
        return self.last_name(), "NAME"

    def hard_first(self) -> Piece:
        return self.rng.choice(HARD_FIRST_NAMES), "NAME"

    def hard_last(self) -> Piece:
        return self.hard_word, "NAME"

    def hard_term(self) -> Piece:
        return self.rng.choice(HARD_SURNAMES[self.hard_word]), CLINICAL

    def relation(self) -> Piece:
        return self.rng.choice(RELATIONS), PLANTED

    # -- dates and ages
    def date(self, earliest: int = 2015, latest: int = 2025) -> Piece:
        first, last = dt.date(earliest, 1, 1), dt.date(latest, 12, 31)
        day = first + dt.timedelta(days=self.rng.randint(0, (last - first).days))
        return self.rng.choice(DATE_FORMATS)(day), "DATE"

    def dob(self) -> Piece:
        return self.date(1921, 2008)

    def age(self) -> Piece:
        years = self.rng.randint(90, 104)
        return (NINETIES[years - 90] if years < 100 and self.rng.random() < 0.1 else str(years)), "AGE"

    # -- contact and places
    def digits(self, shape: str) -> str:
        return "".join(str(self.rng.randrange(10)) if c == "#" else self.rng.choice(ascii_uppercase) if c == "A"
                       else c for c in shape)

    def phone(self) -> Piece:
        a = f"{self.rng.randint(2, 9)}{self.rng.randint(0, 8)}{self.rng.randint(0, 9)}"
        b = f"{self.rng.randint(2, 9)}{self.digits('##')}"
        return self.rng.choice(PHONE_FORMATS).format(a=a, b=b, c=self.digits("####")), "PHONE"

    def email(self) -> Piece:
        first, last = map(ascii_lower, self.rng.choice(((self.first, self.last), self.doctor)))
        address = self.rng.choice(EMAIL_FORMATS).format(
            first=first, last=last, f=first[0], n=self.rng.randint(1, 99),
            org=self.rng.choice(ORG_DOMAINS), mail=self.rng.choice(MAIL_DOMAINS))
        return address, "EMAIL"

    def url(self) -> Piece:
        return self.rng.choice(URL_FORMATS).format(org=self.rng.choice(ORG_DOMAINS), n=self.digits("######"),
                                                   token=self.digits("AA#A-##A#").lower()), "URL"

    def ip(self) -> Piece:
        r = self.rng.randint
        hextets = {k: f"{r(1, 0xffff):x}" for k in ("h", "h2", "h3")}
        return self.rng.choice(IP_FORMATS).format(a=r(11, 223), b=r(0, 255), c=r(0, 255), d=r(1, 254), a16=r(16, 31),
                                                  **hextets), "IP"

    def street(self) -> Piece:
        name, kind = self.rng.choice(STREET_NAMES), self.rng.choice(STREET_TYPES)
        unit = self.rng.choice(("", "", "", ", Apt 4B", " Unit 12", " #3"))
        return f"{self.rng.randint(1, 9899)} {name} {kind}{unit}", "ADDRESS"

    def po_box(self) -> Piece:
        return self.digits("####"), "ADDRESS"

    def city(self) -> Piece:
        return self.home_city, "ADDRESS"

    def state(self) -> Piece:
        return self.rng.choice(STATES), PLANTED

    def zip(self) -> Piece:
        return self.digits(self.rng.choice(("#####", "#####", "#####-####"))), "ADDRESS"

    def facility(self) -> Piece:
        return self.rng.choice(FACILITIES).format(city=self.home_city), "ADDRESS"

    def id(self, kind: str = "") -> Piece | list[Piece]:
        """A bare identifier of the given kind, or, without a kind, a field label and an identifier."""
        labels, shapes = ID_KINDS[kind or self.rng.choice(sorted(ID_KINDS))]
        value = (self.digits(self.rng.choice(shapes)), "ID")
        return value if kind else [(self.rng.choice(labels) + " ", PLANTED), value]

    # -- clinical (never PHI)
    def drug(self) -> Piece:
        return self.rng.choice(sorted(DRUG_DOSES)), CLINICAL

    def drug_dose(self) -> Piece:
        drug = self.rng.choice(sorted(DRUG_DOSES))
        return f"{drug} {self.rng.choice(DRUG_DOSES[drug])}", CLINICAL

    def disease(self) -> Piece:
        return self.rng.choice(DISEASES), CLINICAL

    def eponym(self) -> Piece:
        return self.rng.choice([term for terms in HARD_SURNAMES.values() for term in terms]), CLINICAL

    def lab(self, name: str = "") -> Piece:
        name, shape, low, high = next(l for l in LABS if l[0] == name) if name else self.rng.choice(LABS)
        return f"{name} {shape.format(self.rng.uniform(low, high))}", CLINICAL

    def vital(self, name: str) -> Piece:
        name, shape, *ranges = next(v for v in VITALS if v[0] == name)
        return f"{name} {shape.format(*(self.rng.randint(*r) for r in ranges))}", CLINICAL

    def vitals(self) -> Piece:
        return self.vital(self.rng.choice(VITALS)[0])

    def score(self) -> Piece:
        shape, low, high = self.rng.choice(SCORES)
        return shape.format(self.rng.randint(low, high)), CLINICAL

    def year(self) -> Piece:
        return str(self.rng.randint(1978, 2025)), CLINICAL

    def duration(self) -> Piece:
        return f"{self.rng.randint(2, 14)} {self.rng.choice(DURATION_UNITS)}", CLINICAL

    def age_young(self) -> Piece:
        return str(self.rng.randint(18, 89)), CLINICAL


class Draft:
    """A note under construction: a list of (text, label) pieces, so offsets are computed once, at the end."""

    BOUNDARY = re.compile(r"(?:\n|[.!?] +)(?=[A-Z])")

    def __init__(self, text: str):
        self.pieces: list[Piece] = [(text, None)]

    def mark(self, pattern: re.Pattern, label: str, replace=None) -> None:
        """Label each match (its group "x" if the pattern has one) in still unlabeled text, optionally replacing it."""
        out = []
        for text, old in self.pieces:
            if old is not None:
                out.append((text, old))
                continue
            pos = 0
            for m in pattern.finditer(text):
                start, end = m.span("x") if "x" in pattern.groupindex else m.span()
                out += [(text[pos:start], None), (replace() if replace else text[start:end], label)]
                pos = end
            out.append((text[pos:], None))
        self.pieces = [p for p in out if p[0]]

    def insert(self, pieces: list[Piece], where: str, rng: random.Random) -> None:
        """Insert at the start, at the end, or at a random sentence or line boundary of the real text."""
        if where == "start":
            self.pieces[:0] = [*pieces, ("\n", PLANTED)]
            return
        spots = [(i, m.end()) for i, (text, label) in enumerate(self.pieces) if label is None
                 for m in self.BOUNDARY.finditer(text)]
        if where == "end" or not spots:
            self.pieces += [("\n" if where == "end" else " ", PLANTED), *pieces]
            return
        i, at = rng.choice(spots)
        text = self.pieces[i][0]
        sep = "\n" if text[at - 1] == "\n" else " "
        self.pieces[i:i + 1] = [(text[:at], None), *pieces, (sep, PLANTED), (text[at:], None)]

    def finish(self, note_id: str) -> EvalNote:
        text = "".join(t for t, _ in self.pieces)
        gold, clinical, pos = [], [], 0
        for piece, label in self.pieces:
            start, pos = pos, pos + len(piece)
            assert text[start:pos] == piece
            if label == CLINICAL:
                clinical.append((start, pos))
            elif label not in (None, PLANTED):
                assert label in PHI_TYPES and piece == piece.strip(), (label, piece)
                gold.append(GoldSpan(label, start, pos))
        return EvalNote(note_id, text, gold, clinical)


# ---------------------------------------------------------------- the real notes

@dataclass(frozen=True)
class RealNote:
    source: str
    id: str
    text: str
    names: tuple[str, ...] = ()   # people known to be named in the text (ACI-Bench metadata)


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_real_notes(data_dir: Path) -> dict[str, list[RealNote]]:
    """Every usable note text per source, in a stable order."""
    mts = read_csv(data_dir / "mtsamples" / "mtsamples_kavyamistry.csv")[:-1]  # the last row is cut mid-text
    notes = {"mtsamples": [RealNote("mtsamples", r[""], r["transcription"]) for r in mts if r["transcription"].strip()]}
    notes["aci_bench"] = []
    for split in ("train", "valid"):
        meta = {m["encounter_id"]: m for m in read_csv(data_dir / "aci_bench" / f"{split}_metadata.csv")}
        for r in read_csv(data_dir / "aci_bench" / f"{split}.csv"):
            m = meta[r["encounter_id"]]
            doctor = re.sub(r"^dr\.?\s*", "", m["doctor_name"].strip(), flags=re.I)
            patient = (m["patient_firstname"].strip(), m["patient_familyname"].strip())
            names = (" ".join(filter(None, patient)), *patient, doctor, doctor.split(" ")[-1])
            notes["aci_bench"].append(RealNote("aci_bench", r["encounter_id"], r["note"], tuple(filter(None, names))))
    notes["syngp500"] = [RealNote("syngp500", p.stem, p.read_text(encoding="utf-8"))
                         for p in sorted((data_dir / "syngp500").glob("*.txt"))]
    notes["mts_dialog"] = [RealNote("mts_dialog", f"{p.stem}:{r['ID']}", r["section_text"])
                           for p in sorted((data_dir / "mts_dialog").glob("*.csv")) for r in read_csv(p)
                           if r["section_text"].strip()]
    return notes


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
PLACEHOLDER_PERSON = re.compile(r"\b(?:Dr|Mr|Mrs|Ms)\. (?P<x>[A-Z]{1,3})\b(?![a-z])")
PLACEHOLDER_FACILITY = re.compile(r"\b[A-Z]{3} (?:Hospital|Medical Center|Clinic)\b")
TITLED_NAME = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.? (?!Google\b)(?P<x>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
REAL_DATE = re.compile(rf"\b\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}})\b|\b(?:0?[1-9]|1[0-2])/(?:[89]\d|0\d)\b(?!/)"
                       rf"|\b(?:{MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?(?:, \d{{4}})?\b")
AU_DURATION = re.compile(r"\b\d{1,2}/(?:52|12|7)\b")   # SynGP500 writes 2/52 for two weeks, 6/12 six months
LEXICON = re.compile(r"\b(?:%s)\b" % "|".join(sorted(
    map(re.escape, [*DRUG_DOSES, *DISEASES, "Allegra", "Zyrtec", "Claritin", "Nasonex", "ibuprofen", "morphine",
                    "heparin", "lidocaine", "Marcaine", "propofol", "diabetes", "pneumonia", "sepsis", "anemia",
                    "depression", "anxiety", "dementia", "asthma", "stroke", "carcinoma"]), key=len, reverse=True)),
                     re.I)
DOSE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:mg/dL|mmol/L|mg|mcg|mL|units|mmHg|kg|%)(?!\w)"
                  r"|\b(?:BP|blood pressure)\s*:?\s*\d{2,3}/\d{2,3}\b")


def annotate_real(draft: Draft, note: RealNote, planter: Planter) -> None:
    """Make the PHI already in the real text gold, replace placeholders, and mark its clinical terms."""
    if note.names:  # metadata spells them in any case; in the note they are capitalised
        names = sorted({n.lower() for n in note.names}, key=len, reverse=True)
        draft.mark(re.compile(r"\b(?:%s)\b" % "|".join(re.escape(n[0].upper()) + f"(?i:{re.escape(n[1:])})"
                                                        for n in names)), "NAME")
    draft.mark(PLACEHOLDER_PERSON, "NAME", replace=lambda: planter.other_last()[0])
    draft.mark(PLACEHOLDER_FACILITY, "ADDRESS", replace=lambda: planter.facility()[0])
    draft.mark(TITLED_NAME, "NAME")
    draft.mark(REAL_DATE, "DATE")
    if note.source == "syngp500":
        draft.mark(AU_DURATION, CLINICAL)
    draft.mark(LEXICON, CLINICAL)
    draft.mark(DOSE, CLINICAL)


class CategoryBag:
    """Hands out PHI categories in shuffled rounds, so every category is planted about equally often."""

    def __init__(self, rng: random.Random):
        self.rng, self.left = rng, []

    def draw(self) -> str:
        if not self.left:
            self.left = self.rng.sample(PHI_TYPES, len(PHI_TYPES))
        return self.left.pop()


def build_note(note: RealNote, rng: random.Random, bag: CategoryBag) -> EvalNote:
    planter, draft = Planter(rng), Draft(note.text)
    annotate_real(draft, note, planter)
    if rng.random() < 0.6:
        draft.insert(planter.render(rng.choice(HEADERS)), "start", rng)
    for _ in range(2 + min(4, len(note.text) // 1500)):
        draft.insert(planter.render(rng.choice(INLINE[bag.draw()])), "sentence", rng)
    for template in rng.sample(NEGATIVES, 2) + rng.sample(HARD_CASES, rng.randint(0, 2)):
        draft.insert(planter.render(template), "sentence", rng)
    if rng.random() < 0.4:
        draft.insert(planter.render(rng.choice(FOOTERS)), "end", rng)
    return draft.finish(f"{note.source}:{note.id}")


def build_eval_set(data_dir: Path, n_notes: int = 300, seed: int = 13) -> list[EvalNote]:
    """n_notes real notes, drawn in turn from each source, each with PHI planted; the same seed gives the same set."""
    rng = random.Random(seed)
    pools = [rng.sample(notes, len(notes)) for _, notes in sorted(load_real_notes(Path(data_dir)).items())]
    picked = [pool[i] for i in range(max(map(len, pools))) for pool in pools if i < len(pool)][:n_notes]
    if len(picked) < n_notes:
        raise ValueError(f"only {len(picked)} real notes under {data_dir}")
    bag = CategoryBag(rng)
    return [build_note(note, rng, bag) for note in picked]
