"""The course catalog: browse and search content, and get paid courses with credits."""
