"""Exam bank parsers on the real sample banks, on renamed and re-containered copies of them, and on broken input."""
import json

import pyarrow as pa
import pytest

from medcurate import schemas
from medcurate.records import Quarantined, Skipped
from medcurate.stages.readers.exams import FORMATS, detect_format, parse_exam

BANKS = {  # path under exam_mcq/ -> (format, questions)
    "medqa_us/test_rows_0001-0636.jsonl": ("medqa", 636),
    "medmcqa_medagents/test_rows_0001-1400.jsonl": ("medmcqa", 1400),
    "pubmedqa/ori_pqal_non_test_500.json": ("pubmedqa", 500),
    "mmlu_medical/anatomy_test.csv": ("mmlu", 135),
    "mmlu_medical/professional_medicine_test.csv": ("mmlu", 282),
    "mmlu_medical/medical_genetics_test.csv": ("mmlu", 100),
    "headqa/dev_HEAD_EN.json": ("headqa", 1366),
    "cmexam/val_rows_0001-1000.csv": ("cmexam", 1000),
    "frenchmedmcqa/dev.json": ("frenchmedmcqa", 312),
}


@pytest.fixture(scope="module")
def parsed(shared_data):
    """Parse each sample bank once per module: rel path -> everything parse_exam yielded."""
    cache: dict[str, list] = {}

    def get(rel: str) -> list:
        if rel not in cache:
            path = shared_data / "exam_mcq" / rel
            cache[rel] = list(parse_exam(str(path), path.read_bytes()))
        return cache[rel]
    return get


def rows_of(out: list) -> list[dict]:
    return [r for r in out if isinstance(r, dict)]


def markers(out: list) -> list:
    return [r for r in out if not isinstance(r, dict)]


def by_id(out: list) -> dict[str, dict]:
    return {r["id"]: r for r in rows_of(out)}


def parse(name: str, data: bytes | str, fmt: str | None = None) -> list:
    return list(parse_exam(name, data.encode() if isinstance(data, str) else data, fmt))


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# --- the real banks --------------------------------------------------------------------------

def test_formats_are_the_seven_banks():
    assert set(FORMATS) == {"medqa", "medmcqa", "pubmedqa", "mmlu", "headqa", "cmexam", "frenchmedmcqa"}


@pytest.mark.parametrize("rel", BANKS)
def test_every_question_becomes_a_row_that_fits_the_schema(parsed, rel):
    fmt, count = BANKS[rel]
    out = parsed(rel)
    rows = rows_of(out)
    assert markers(out) == []
    assert len(rows) == count
    assert {r["exam"] for r in rows} == {fmt}
    assert len({r["id"] for r in rows}) == count
    assert sorted(r["provenance"]["offset"] for r in rows) == sorted({r["provenance"]["offset"] for r in rows})
    assert all(r["answer_labels"] and len(r["answer_texts"]) == len(r["answer_labels"]) for r in rows)
    batch = pa.RecordBatch.from_pylist(rows, schema=schemas.EXAM_ITEMS)
    assert batch.num_rows == count


@pytest.mark.parametrize("rel", BANKS)
def test_detection_reads_content_not_the_file_name(shared_data, tmp_path, rel):
    fmt, count = BANKS[rel]
    renamed = tmp_path / "x.dat"
    renamed.write_bytes((shared_data / "exam_mcq" / rel).read_bytes())
    assert detect_format(str(renamed), renamed.read_bytes()) == fmt
    assert len(rows_of(parse(str(renamed), renamed.read_bytes()))) == count


def test_medqa_first_item(parsed):
    first = rows_of(parsed("medqa_us/test_rows_0001-0636.jsonl"))[0]
    assert first["id"] == "medqa:test_rows_0001-0636:0"
    assert first["question"].startswith("A junior orthopaedic surgery resident")
    assert [o["label"] for o in first["options"]] == ["A", "B", "C", "D", "E"]
    assert first["answer_labels"] == ["C"]
    assert first["answer_texts"] == ["Tell the attending that he cannot fail to disclose this mistake"]
    assert (first["split"], first["language"], first["subject"]) == ("test", "en", None)
    assert json.loads(first["meta"]) == {"meta_info": "step1"}


def test_medmcqa_medagents_ids_are_the_uuids(parsed):
    rows = rows_of(parsed("medmcqa_medagents/test_rows_0001-1400.jsonl"))
    assert rows[0]["id"] == "medmcqa:b64a9cd7-d076-4c55-8be1-f9c44fece6cc"
    assert rows[0]["answer_labels"] == ["C"]
    assert {r["language"] for r in rows} == {"en"}


def test_frenchmedmcqa_keeps_every_correct_answer(parsed):
    rows = by_id(parsed("frenchmedmcqa/dev.json"))
    item = rows["frenchmedmcqa:e0b9625efbd4c8870865a1177116200861be5f936d2c856a74e29e6da4842350"]
    assert item["answer_labels"] == ["A", "B", "D", "E"]
    assert item["answer_texts"][1] == "L'infection débute par un chancre d'inoculation"
    assert json.loads(item["meta"]) == {"type": "multiple", "nbr_correct_answers": 4}
    assert sum(len(r["answer_labels"]) > 1 for r in rows.values()) == 148
    assert {r["language"] for r in rows.values()} == {"fr"}
    assert {r["subject"] for r in rows.values()} == {"pharmacie"}
    assert {r["split"] for r in rows.values()} == {"dev"}


def test_cmexam_splits_the_options_cell(parsed):
    rows = rows_of(parsed("cmexam/val_rows_0001-1000.csv"))
    first = rows[0]
    assert [o["label"] for o in first["options"]] == ["A", "B", "C", "D", "E"]
    assert first["options"][1] == {"label": "B", "text": "出血部位"}
    assert (first["answer_labels"], first["answer_texts"]) == (["C"], ["出血量"])
    assert first["explanation"].startswith("上消化道出血表现为呕血还是便血")
    assert (first["language"], first["split"], first["id"]) == ("zh", "dev", "cmexam:val_rows_0001-1000:0")
    assert sum(len(r["options"]) == 4 for r in rows) == 6
    assert not any("\\n" in o["text"] for r in rows for o in r["options"])


def test_headqa_takes_language_year_and_category_from_the_exam(parsed):
    rows = by_id(parsed("headqa/dev_HEAD_EN.json"))
    first = rows["headqa:Cuaderno_2015_1_B:1"]
    assert [o["label"] for o in first["options"]] == ["1", "2", "3", "4"]
    assert (first["answer_labels"], first["answer_texts"]) == (["4"], ["The Nernst equation."])
    assert (first["language"], first["year"], first["subject"]) == ("en", 2015, "biology")
    assert {r["language"] for r in rows.values()} == {"en"}
    assert {r["year"] for r in rows.values()} == {2015}
    assert {r["subject"] for r in rows.values()} == {"biology", "nursery", "pharmacology", "medicine", "psychology", "chemistry"}
    with_image = [r for r in rows.values() if "image" in json.loads(r["meta"])]
    assert len(with_image) == 30 and {r["subject"] for r in with_image} == {"medicine"}


def test_pubmedqa_is_yes_no_maybe_over_the_abstract(parsed):
    rows = by_id(parsed("pubmedqa/ori_pqal_non_test_500.json"))
    item = rows["pubmedqa:10808977"]
    assert item["options"] == [{"label": c, "text": c} for c in ("yes", "no", "maybe")]
    assert item["answer_labels"] == ["yes"]
    assert len(item["context"]) == 6 and item["context"][1] == "Three-year randomized field trial."
    assert item["explanation"].startswith("The effects of the intervention were most pronounced")
    assert item["year"] == 2000
    meta = json.loads(item["meta"])
    assert meta["LABELS"][0] == "BACKGROUND" and "Mammography" in meta["MESHES"]
    assert meta["reasoning_free_pred"] == "no"
    assert all(r["context"] for r in rows.values())
    assert {r["split"] for r in rows.values()} == {"unknown"}        # "ori_pqal_non_test" is not the test split
    assert {r["language"] for r in rows.values()} == {"en"}


@pytest.mark.parametrize("rel, subject", [("mmlu_medical/anatomy_test.csv", "anatomy"),
                                           ("mmlu_medical/medical_genetics_test.csv", "medical_genetics"),
                                           ("mmlu_medical/professional_medicine_test.csv", "professional_medicine")])
def test_mmlu_subject_and_split_come_from_the_file_name(parsed, rel, subject):
    rows = rows_of(parsed(rel))
    assert {(r["subject"], r["split"]) for r in rows} == {(subject, "test")}
    assert rows[0]["id"] == f"mmlu:{subject}_test:0"


def test_mmlu_dev_and_val_files(shared_data):
    data = (shared_data / "exam_mcq/mmlu_medical/anatomy_test.csv").read_bytes()
    for name, split in [("data/dev/college_medicine_dev.csv", "dev"), ("val/clinical_knowledge_val.csv", "dev")]:
        rows = rows_of(parse(name, data))
        assert len(rows) == 135
        assert {(r["subject"], r["split"]) for r in rows} == {(name.rsplit("/", 1)[1][:-8], split)}


def test_readme_beside_the_data_is_skipped(shared_data):
    path = shared_data / "exam_mcq/headqa/README_HEAD_EN.txt"
    out = parse(str(path), path.read_bytes())
    assert len(out) == 1 and isinstance(out[0], Skipped) and "not an exam file" in out[0].reason
    assert detect_format(str(path), path.read_bytes()) is None


# --- containers swapped, formats overridden ---------------------------------------------------

def test_jsonl_bank_as_json_array_and_json_array_as_jsonl(shared_data, parsed):
    medqa = (shared_data / "exam_mcq/medqa_us/test_rows_0001-0636.jsonl").read_text()
    as_array = json.dumps([json.loads(line) for line in medqa.splitlines()], indent=2)
    assert detect_format("test.json", as_array.encode()) == "medqa"
    assert rows_of(parse("test_rows_0001-0636.json", as_array)) == rows_of(parsed("medqa_us/test_rows_0001-0636.jsonl"))

    french = json.loads((shared_data / "exam_mcq/frenchmedmcqa/dev.json").read_text())
    assert rows_of(parse("dev.jsonl", jsonl(*french))) == rows_of(parsed("frenchmedmcqa/dev.json"))


def test_format_override_wins_over_detection():
    generic = jsonl({"question": "Which vitamin deficiency causes scurvy?", "options": {"A": "Vitamin A", "B": "Vitamin C"},
                     "answer_idx": "B", "realidx": 7})
    assert detect_format("x.jsonl", generic.encode()) == "medqa"
    rows = rows_of(parse("x.jsonl", generic, fmt="medmcqa"))
    assert [(r["exam"], r["id"], r["answer_texts"]) for r in rows] == [("medmcqa", "medmcqa:7", ["Vitamin C"])]
    with pytest.raises(ValueError, match="unknown exam format"):
        parse("x.jsonl", generic, fmt="usmle")


# --- layouts not in the samples ---------------------------------------------------------------

MEDMCQA_ORIGINAL = [
    {"question": "Which of the following is not a branch of the external carotid artery?",
     "exp": "The ophthalmic artery is the first branch of the internal carotid artery.",
     "cop": 3, "opa": "Superior thyroid artery", "opb": "Lingual artery", "opc": "Ophthalmic artery",
     "opd": "Facial artery", "subject_name": "Anatomy", "topic_name": "Head and neck",
     "id": "7a5f1a3e-2b1c-4d7e-9c55-0f2b6f1d9a10", "choice_type": "single"},
    {"question": "Drug of choice for absence seizures in a 6 year old child is",
     "exp": None, "cop": 2, "opa": "Phenytoin", "opb": "Ethosuximide", "opc": "Carbamazepine",
     "opd": "Phenobarbitone", "subject_name": "Pharmacology", "topic_name": None,
     "id": "c2d9e8f4-6a1b-47c3-8e2d-5b9a0c7f3e21", "choice_type": "single"},
]


def test_original_medmcqa_layout_counts_cop_from_one():
    out = parse("train.json", jsonl(*MEDMCQA_ORIGINAL))
    assert markers(out) == []
    first, second = rows_of(out)
    assert first["id"] == "medmcqa:7a5f1a3e-2b1c-4d7e-9c55-0f2b6f1d9a10"
    assert [o["text"] for o in first["options"]][2] == "Ophthalmic artery"
    assert (first["answer_labels"], first["answer_texts"]) == (["C"], ["Ophthalmic artery"])
    assert first["explanation"].startswith("The ophthalmic artery")
    assert (first["subject"], first["split"]) == ("Anatomy", "train")
    assert json.loads(first["meta"]) == {"topic_name": "Head and neck", "choice_type": "single", "cop": 3}
    assert (second["answer_labels"], second["explanation"]) == (["B"], None)
    pa.RecordBatch.from_pylist(rows_of(out), schema=schemas.EXAM_ITEMS)


def test_hugging_face_medmcqa_export_counts_cop_from_zero_and_unanswered_items_are_kept_without_key():
    records = [{**MEDMCQA_ORIGINAL[0], "cop": 2}, {**MEDMCQA_ORIGINAL[1], "cop": 0},
               {**MEDMCQA_ORIGINAL[1], "id": "0e6c7c2a-3f0b-4f55-a1d8-9a4c2b7d6e13", "cop": -1}]
    out = parse("validation.json", json.dumps(records))
    assert [r["answer_labels"] for r in rows_of(out)] == [["C"], ["A"], []]
    assert markers(out) == []


def test_hugging_face_pubmedqa_layout():
    record = {"pubid": 21645374, "question": "Do mitochondria play a role in remodelling lace plant leaves during programmed cell death?",
              "context": {"contexts": ["Programmed cell death (PCD) is the regulated death of cells within an organism.",
                                       "The following organelle dynamics were observed in window stage leaves."],
                          "labels": ["BACKGROUND", "RESULTS"], "meshes": ["Alismataceae", "Apoptosis"],
                          "reasoning_required_pred": ["y", "e", "s"], "reasoning_free_pred": ["y", "e", "s"]},
              "long_answer": "Results depicted mitochondrial dynamics in vivo as PCD progresses within the lace plant.",
              "final_decision": "yes"}
    assert detect_format("pqa_labeled.jsonl", jsonl(record).encode()) == "pubmedqa"
    (row,) = parse("pqa_labeled_train.jsonl", jsonl(record))
    assert (row["id"], row["answer_labels"], row["split"]) == ("pubmedqa:21645374", ["yes"], "train")
    assert len(row["context"]) == 2 and row["explanation"].startswith("Results depicted")
    assert json.loads(row["meta"])["meshes"] == ["Alismataceae", "Apoptosis"]


def test_full_cmexam_csv_with_real_newlines_extra_columns_and_several_answers():
    csv_text = ("Question,Options,Answer,Explanation,Disease Group,Clinical Department,Medical Discipline,Competency,Difficulty level\n"
                '下列属于β-内酰胺类抗生素的是,"A 青霉素\nB 头孢菌素\nC 红霉素\nD 亚胺培南\nE 链霉素",ABD,,'
                "感染性疾病,内科,药学,医学知识,2\n")
    (row,) = parse("test_with_annotations.csv", csv_text)
    assert [o["label"] for o in row["options"]] == ["A", "B", "C", "D", "E"]
    assert (row["answer_labels"], row["answer_texts"]) == (["A", "B", "D"], ["青霉素", "头孢菌素", "亚胺培南"])
    assert json.loads(row["meta"])["Clinical Department"] == "内科"
    assert (row["explanation"], row["language"], row["split"]) == (None, "zh", "test")


def test_chinese_medqa_is_tagged_zh():
    record = {"question": "患者，男，45岁。反复上腹痛3年，餐后加重。最可能的诊断是", "options": {"A": "胃溃疡", "B": "十二指肠溃疡", "C": "胃癌", "D": "慢性胃炎", "E": "胆囊炎"},
              "answer": "胃溃疡", "meta_info": "卫生部", "answer_idx": "A"}
    (row,) = parse("mainland/test.jsonl", jsonl(record))
    assert (row["exam"], row["language"], row["answer_labels"]) == ("medqa", "zh", ["A"])


def test_flat_headqa_without_declared_language_is_guessed():
    record = {"name": "Cuaderno_2013_1_B", "year": "2013", "category": "biology", "qid": 3, "ra": 2, "image": "",
              "qtext": "¿Cuál de las siguientes enzimas es la responsable de la síntesis de los cebadores en la replicación del ADN?",
              "answers": [{"aid": 1, "atext": "La ADN polimerasa I."}, {"aid": 2, "atext": "La primasa."},
                          {"aid": 3, "atext": "La ligasa."}, {"aid": 4, "atext": "La helicasa."}]}
    (row,) = parse("head_qa_es.jsonl", jsonl(record))
    assert (row["id"], row["answer_texts"], row["language"], row["year"]) == ("headqa:Cuaderno_2013_1_B:3", ["La primasa."], "es", 2013)


# --- broken input -----------------------------------------------------------------------------

def test_bad_json_lines_are_quarantined_with_their_line_numbers(shared_data):
    lines = (shared_data / "exam_mcq/medqa_us/test_rows_0001-0636.jsonl").read_text().splitlines()[:10]
    lines[3] = '{"question": "truncated'
    broken = json.loads(lines[6])
    del broken["options"]
    lines[6] = json.dumps(broken)
    out = parse("test.jsonl", "\n".join(lines) + "\n")
    bad = markers(out)
    assert len(rows_of(out)) == 8
    assert [(q.row, q.reason.split(":")[0]) for q in bad] == [(3, "line 4"), (6, "line 7")]
    assert "invalid JSON" in bad[0].reason and "options" in bad[1].reason
    assert [r["provenance"]["offset"] for r in rows_of(out)] == [0, 1, 2, 4, 5, 7, 8, 9]


def test_empty_files_are_skipped():
    for data in (b"", b"  \n\n", b"[]"):
        out = parse("test.jsonl", data)
        assert len(out) == 1 and isinstance(out[0], Skipped)


def test_invalid_utf8_in_one_csv_row_quarantines_only_that_row(shared_data):
    data = (shared_data / "exam_mcq/mmlu_medical/anatomy_test.csv").read_bytes()
    lines = data.split(b"\n")
    lines[2] = b"\xff\xfe" + lines[2]
    out = parse("anatomy_test.csv", b"\n".join(lines))
    assert len(rows_of(out)) == 134
    assert [(q.row, "UTF-8" in q.reason) for q in markers(out)] == [(2, True)]


def test_csv_without_answer_column_is_an_unknown_layout():
    out = parse("val.csv", 'Question,Options,Explanation\n夜间阵发性呼吸困难，可见于,A 癔病\\nB 左心功能不全,\n')
    assert len(out) == 1 and isinstance(out[0], Quarantined)
    assert "unknown exam layout" in out[0].reason and "Options" in out[0].reason


def test_answer_outside_the_options_and_duplicate_ids_are_quarantined():
    item = {"id": "q1", "question": "Le paracétamol est :", "answers": {"a": "Un antalgique", "b": "Un anticoagulant"},
            "correct_answers": ["a"], "subject_name": "pharmacie"}
    out = parse("train.json", json.dumps([item, {**item, "correct_answers": ["f"]}, item]))
    assert len(rows_of(out)) == 1
    assert [q.row for q in markers(out)] == [1, 2]
    assert "['F'] not among option labels" in markers(out)[0].reason
    assert "duplicate id" in markers(out)[1].reason


def test_bytes_that_are_not_text_are_quarantined():
    out = parse("bank.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    assert len(out) == 1 and isinstance(out[0], Quarantined) and "UTF-8" in out[0].reason
