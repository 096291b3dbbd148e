"""The daily loop: prompts and their schedule, answers and reviews, moderators' removals."""
