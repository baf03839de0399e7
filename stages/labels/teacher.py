"""Labels from real metadata instead of an LLM: the teacher whose labels can be trusted here, so the
student's agreement with it measures distillation itself (the local LLM is too weak to be a yardstick).

* doc_type: the article's JATS `article-type` (or PubMed publication type); clinical notes are cases.
* domain: clinical for notes and for case sections (case report, patient history...); other for back
  matter (acknowledgements, funding, abbreviations...); biomedical for the rest of an article.
* discipline: a note's stated specialty (MTSamples `medical_specialty`) mapped onto the MIRIAD list.
* edu_score: no metadata says it, so it stays null (only an LLM teacher gives it).
"""
from medcurate.stage import TableInput
from medcurate.stages.labels.sections import section_group

RULE = "metadata"
ARTICLE_TYPES = {"case-report": "clinical_case", "case reports": "clinical_case",
                 "research-article": "study", "review-article": "review", "systematic-review": "review",
                 "review": "review", "systematic review": "review"}
SPECIALTIES = {     # MTSamples categories that name a discipline; document types (letters, SOAP notes...) do not
    "Allergy / Immunology": "Allergology",
    "Autopsy": "Pathology & Laboratory Medicine",
    "Bariatrics": "General Surgery",
    "Cardiovascular / Pulmonary": "Cardiology",
    "Chiropractic": "Complementary & Alternative Medicine",
    "Cosmetic / Plastic Surgery": "Plastic & Reconstructive Surgery",
    "Dentistry": "Dental & Oral Medicine",
    "Dermatology": "Dermatology",
    "Diets and Nutritions": "Allied Health Professions",
    "ENT - Otolaryngology": "Otorhinolaryngology (ENT)",
    "Emergency Room Reports": "Emergency Medicine",
    "Endocrinology": "Endocrinology & Metabolism",
    "Gastroenterology": "Gastroenterology & Hepatology",
    "General Medicine": "General Medicine",
    "Hematology - Oncology": "Oncology",
    "Lab Medicine - Pathology": "Pathology & Laboratory Medicine",
    "Nephrology": "Nephrology",
    "Neurology": "Neurology",
    "Neurosurgery": "Neurosurgery",
    "Obstetrics / Gynecology": "Obstetrics & Gynecology",
    "Ophthalmology": "Ophthalmology",
    "Orthopedic": "Orthopedic Surgery",
    "Pain Management": "Anesthesiology",
    "Pediatrics - Neonatal": "General Pediatrics",
    "Physical Medicine - Rehab": "Physical & Rehabilitation Medicine",
    "Podiatry": "Allied Health Professions",
    "Psychiatry / Psychology": "Psychiatry",
    "Radiology": "Radiology & Imaging",
    "Rheumatology": "Rheumatology",
    "Sleep Medicine": "Pulmonology & Respiratory Medicine",
    "Speech - Language": "Allied Health Professions",
    "Surgery": "General Surgery",
    "Urology": "Urology",
}


class MetadataTeacher:
    def __init__(self, documents: list[TableInput]):
        self.docs: dict[str, tuple[str | None, str | None]] = {}
        for table in documents:
            for batch in table.iter_batches():
                columns = batch.select(["id", "article_type", "specialty"]).to_pydict()
                self.docs.update(zip(columns["id"], zip(columns["article_type"], columns["specialty"])))

    def labels(self, row: dict) -> dict | None:
        """The four labels of one passage row, or None when nothing about its document is known."""
        if row["doc_id"] not in self.docs:
            return None
        article_type, specialty = self.docs[row["doc_id"]]
        note = row["source"] == "note"
        group = section_group(row.get("kind"), row.get("section_title"))
        return {
            "doc_type": "clinical_case" if note else ARTICLE_TYPES.get((article_type or "").lower(), "other"),
            "domain": "clinical" if note or group == "case" else "other" if group == "back_matter" else "biomedical",
            "edu_score": None,
            "discipline": SPECIALTIES.get((specialty or "").strip()),
        }


def documents_for(passages: list[TableInput], given: list[TableInput]) -> list[TableInput]:
    """The documents tables to join on: those given as inputs, else those beside each passages table."""
    if given:
        return given
    found = {t.version.id: TableInput(t.version, name) for t in passages
             for name, info in t.version.tables.items() if info["kind"] == "documents"}
    return list(found.values())
