"""Every stage the CLI and the flows can run, by name."""
from annotation.import_stage import ImportAnnotations
from medcurate.stage import Stage
from stages.annotate import Annotate
from stages.classify import Classify
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
from stages.train_classifier import TrainClassifier

STAGES: dict[str, type[Stage]] = {cls.name: cls for cls in (
    IngestPMC, IngestExams, IngestNotes, Deidentify, ImportTable, Select, Dedup, Decontaminate, GenerateQA, Grounding, ImportAnnotations,
    Annotate, TrainClassifier, Classify,
)}

INGESTERS = {"pmc": IngestPMC, "exams": IngestExams, "notes": IngestNotes}
