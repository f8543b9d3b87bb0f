"""What supervisors review: the queue and dashboard index, a submission rendered with its
form's labels, versions compared, geopoints and image thumbnails."""
