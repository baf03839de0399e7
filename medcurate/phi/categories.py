"""The PHI categories medcurate detects: HIPAA Safe Harbor identifiers that occur in clinical notes.

Every recognizer maps to one of these; evaluation reports recall/precision per category; the
surrogate for a span is chosen by its category.
"""
PHI_TYPES = (
    "NAME",      # patients, relatives, clinicians, any person
    "DATE",      # any date element more specific than the year (day, month+day, full dates, admission times)
    "AGE",       # ages over 89 (younger ages are not identifiers under Safe Harbor)
    "PHONE",     # telephone and fax numbers
    "EMAIL",
    "ADDRESS",   # street addresses, cities/towns and other places below state level, ZIP codes, facility names
    "ID",        # MRN, account, health-plan, licence, SSN, accession, device/serial and other record numbers
    "URL",
    "IP",
)
