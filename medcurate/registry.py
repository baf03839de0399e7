"""Every stage the CLI and the flows can run, by name."""
from medcurate.stage import Stage
from stages.decontaminate import Decontaminate
from stages.generate_qa import GenerateQA
from stages.grounding import Grounding
from stages.dedup import Dedup
from stages.deidentify import Deidentify
from stages.import_table import ImportTable
from stages.ingest_exams import IngestExams
from stages.ingest_notes import IngestNotes
from stages.ingest_pmc import IngestPMC
from stages.select import Select

STAGES: dict[str, type[Stage]] = {cls.name: cls for cls in (
    IngestPMC, IngestExams, IngestNotes, Deidentify, ImportTable, Select, Dedup, Decontaminate, GenerateQA, Grounding,
)}

INGESTERS = {"pmc": IngestPMC, "exams": IngestExams, "notes": IngestNotes}
