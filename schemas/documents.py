"""`documents`: one row per source document (PMC article, PubMed citation, clinical note)."""
import pyarrow as pa

from medcurate.schemas.base import PHI_SPANS, PROVENANCE

DOCUMENTS = pa.schema([
    pa.field("id", pa.string(), nullable=False),   # stable: "pmc:PMC123", "pubmed:456", "note:mtsamples:12"
    pa.field("source", pa.string(), nullable=False),   # pmc | pubmed | note
    pa.field("dataset", pa.string()),              # finer origin: pmc, medline, mtsamples, aci-bench, ...
    pa.field("source_id", pa.string()),            # the id the source itself uses
    pa.field("title", pa.string()),
    pa.field("abstract", pa.string()),
    pa.field("text", pa.string()),                 # full text; passages hold offsets into it
    pa.field("language", pa.string()),             # ISO 639-1, "und" when unknown
    pa.field("year", pa.int32()),
    pa.field("pmcid", pa.string()),
    pa.field("pmid", pa.string()),
    pa.field("doi", pa.string()),
    pa.field("journal", pa.string()),
    pa.field("article_type", pa.string()),         # JATS article-type / PubMed publication type / note type
    pa.field("license", pa.string()),              # license URL or text as stated by the source
    pa.field("license_group", pa.string()),        # commercial | non-commercial | other (PMC's OA groups)
    pa.field("retracted", pa.bool_()),
    pa.field("specialty", pa.string()),            # notes: medical specialty where the source states it
    pa.field("deidentified", pa.bool_()),          # notes only: true once the PHI gate has run
    pa.field("phi_spans", PHI_SPANS),              # notes only: replaced PHI (offsets into text)
    pa.field("meta", pa.string()),                 # JSON object of source-specific extras
    pa.field("provenance", PROVENANCE),
])
