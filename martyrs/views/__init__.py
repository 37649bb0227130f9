"""The pages of the martyrs' register: the martyrs (``martyrs``), their families' 一人一档 records
(``families``) and the memorial facilities (``memorials``)."""
