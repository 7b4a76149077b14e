"""The refresh pipeline: prices → news → checks, with job history and a cross-process lock."""
