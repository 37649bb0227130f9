"""The pages of hardship aid: the applications (``applications``), the fund (``fund``), the ceremonies
(``ceremonies``) and the figures (``figures``)."""
